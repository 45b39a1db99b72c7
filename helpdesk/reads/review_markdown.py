"""A post-incident review as a Markdown document, to share or archive outside the
helpdesk: a pure function of the review, its timeline and its impact (review_timeline.py,
review_impact.py). Times are UTC; the texts people wrote go in as they wrote them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpdesk.core.zones import exact_time
from helpdesk.models import PostIncidentReview, ReviewAction
from helpdesk.reads.review_impact import Impact
from helpdesk.reads.review_timeline import Entry
from helpdesk.sla.durations import format_duration

NOT_WRITTEN = "_Not written yet._"
STATUS_WORDS = {"draft": "draft", "in_review": "in review", "completed": "completed"}


def as_markdown(review: PostIncidentReview, entries: list[Entry], impact: Impact) -> str:
    """The whole review as one Markdown document."""
    incident = review.incident
    facilitator = review.facilitator.name if review.facilitator else "nobody yet"
    lines = [
        f"# Post-incident review: {incident.reference} {incident.subject}",
        "",
        f"Status: {STATUS_WORDS.get(review.status, review.status)}. Facilitator: {facilitator}.",
        "",
        *_section("Summary", review.summary),
        "## Timeline",
        "",
        *_timeline(entries),
        "## Impact",
        "",
        *_impact(impact),
        *_section("Root cause", review.root_cause),
        *_section("What went well", review.went_well),
        *_section("What to improve", review.to_improve),
        "## Action items",
        "",
        *_actions(review.actions),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def when(moment: datetime) -> str:
    """A stored instant as the document writes it, e.g. 2026-11-30 09:00 UTC."""
    return exact_time(moment, UTC)


def how_long(duration: timedelta) -> str:
    """A duration in whole minutes' spelling, e.g. 2h30m."""
    return format_duration(timedelta(minutes=int(duration.total_seconds() // 60)))


def _section(title: str, text: str) -> list[str]:
    """A heading and the text under it (or a note that nobody wrote it yet)."""
    return [f"## {title}", "", text.strip() or NOT_WRITTEN, ""]


def _cell(text: str) -> str:
    """Text that stays inside one table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _timeline(entries: list[Entry]) -> list[str]:
    """The timeline as a table."""
    if not entries:
        return ["_Nothing recorded._", ""]
    rows = [
        f"| {when(entry.at)} | {entry.kind.replace('_', ' ')} | {_cell(entry.who or 'helpdesk')} "
        f"| {_cell(entry.text)} |"
        for entry in entries
    ]
    return ["| Time | Kind | Who | What |", "| --- | --- | --- | --- |", *rows, ""]


def _impact(impact: Impact) -> list[str]:
    """The impact as a list, with the breaches under it."""
    duration = impact.duration
    lines = [
        f"- Opened: {when(impact.opened_at)}",
        f"- Resolved: {when(impact.resolved_at) if impact.resolved_at else 'not yet'}",
        f"- Duration: {how_long(duration) if duration is not None else 'still open'}",
        f"- People affected: {impact.people_affected}",
        f"- Services: {', '.join(impact.services) or 'none recorded'}",
        f"- SLA breaches: {len(impact.breaches)}",
    ]
    lines += [
        f"  - {breach.reference}: {breach.target} target at {when(breach.at)}"
        for breach in impact.breaches
    ]
    return [*lines, ""]


def _actions(actions: list[ReviewAction]) -> list[str]:
    """The action items as a table."""
    if not actions:
        return ["_None yet._", ""]
    rows = [
        f"| {_cell(action.title)} | {_cell(action.owner.name) if action.owner else 'nobody'} "
        f"| {action.due_on.isoformat() if action.due_on else 'no date'} | {action.status} "
        f"| {_follow_up(action)} |"
        for action in actions
    ]
    return [
        "| Action | Owner | Due | Status | Follow-up |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]


def _follow_up(action: ReviewAction) -> str:
    """The problem or change the action became, if any."""
    found = [record.reference for record in (action.problem, action.change) if record]
    return ", ".join(ref or "" for ref in found) or "-"
