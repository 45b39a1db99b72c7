"""What one incident's facts add to the daily summary (kpi_days), as a pure function: the
keeper adds the difference between an incident's contributions after and before each
change, and `recount` adds up every incident's, so the summary always equals the sum of
the facts it summarises.

An incident counts on the local day (in the summary's zone) of each of its instants: its
opening (opened, escalated, acknowledged and the time to it), its standing resolution
(resolved, first contact, reopened, the resolution times), the judgement of each target
(met or breached), its closure (closed, rated), and the start and end of each open span.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from helpdesk.models.report import ANY_CHANNEL, ANY_ID
from helpdesk.reports.facts import Span

# (day, team, category, service, priority, channel, agent); 0 stands for none, ANY_ID and
# ANY_CHANNEL for all (see with_levels).
Key = tuple[date, int, int, int, int, str, int]
Contributions = dict[Key, Counter[str]]


def contributions(
    facts: Mapping[str, Any] | None, spans: Sequence[Span], zone: tzinfo
) -> Contributions:
    """What an incident with these facts and open spans adds to each summary row."""
    if facts is None:
        return {}
    found: Contributions = {}

    def add(instant: datetime | None, **amounts: int) -> None:
        if instant is not None:
            counts = found.setdefault(_key(facts, _day(instant, zone)), Counter())
            counts.update(amounts)

    add(
        facts["opened_at"],
        opened=1,
        escalated=int(bool(facts["escalated"])),
        acknowledged=int(facts["mtta_seconds"] is not None),
        mtta_ms=_ms(facts["mtta_seconds"]),
    )
    sla_counted = facts["mttr_sla_seconds"] is not None
    add(
        facts["resolved_at"],
        resolved=1,
        first_contact=int(bool(facts["first_contact"])),
        reopened=int(bool(facts["reopened"])),
        mttr_ms=_ms(facts["mttr_seconds"]),
        mttr_sla_counted=int(sla_counted),
        mttr_sla_ms=_ms(facts["mttr_sla_seconds"]),
    )
    for target in ("response", "resolution"):
        met = facts[f"{target}_met"]
        if met is not None:
            add(facts[f"{target}_judged_at"], **{f"{target}_{'met' if met else 'breached'}": 1})
    rating = facts["rating"]
    add(facts["closed_at"], closed=1, rated=int(rating is not None), rating_sum=rating or 0)
    for start, end in spans:
        add(start, spans_started=1)
        add(end, spans_ended=1)
    return found


def with_levels(changes: Contributions) -> Contributions:
    """Each row's counts also in the rows that sum over dimensions (models.report.KpiDay):
    its day and priority's row of every incident, and its rows of one team, one category,
    one service, one channel and one agent; rows whose changes cancel out are left out."""
    levels: Contributions = {}
    for (day, team, category, service, priority, channel, agent), amounts in changes.items():
        for key in (
            (day, team, category, service, priority, channel, agent),
            (day, ANY_ID, ANY_ID, ANY_ID, priority, ANY_CHANNEL, ANY_ID),
            (day, team, ANY_ID, ANY_ID, priority, ANY_CHANNEL, ANY_ID),
            (day, ANY_ID, category, ANY_ID, priority, ANY_CHANNEL, ANY_ID),
            (day, ANY_ID, ANY_ID, service, priority, ANY_CHANNEL, ANY_ID),
            (day, ANY_ID, ANY_ID, ANY_ID, priority, channel, ANY_ID),
            (day, ANY_ID, ANY_ID, ANY_ID, priority, ANY_CHANNEL, agent),
        ):
            levels.setdefault(key, Counter()).update(amounts)
    return {
        key: Counter({name: amount for name, amount in amounts.items() if amount})
        for key, amounts in levels.items()
        if any(amounts.values())
    }


def difference(after: Contributions, before: Contributions) -> Contributions:
    """What to add to the summary to go from `before` to `after` (rows with no change left
    out)."""
    changes: Contributions = {}
    for key in after.keys() | before.keys():
        change = Counter(after.get(key, Counter()))
        change.subtract(before.get(key, Counter()))
        nonzero = Counter({name: amount for name, amount in change.items() if amount})
        if nonzero:
            changes[key] = nonzero
    return changes


def _key(facts: Mapping[str, Any], day: date) -> Key:
    """The summary row an incident's instant on `day` counts in."""
    return (
        day,
        facts["team_id"] or 0,
        facts["category_id"] or 0,
        facts["service_id"] or 0,
        facts["priority"],
        facts["channel"],
        facts["agent_id"] or 0,
    )


def _day(instant: datetime, zone: tzinfo) -> date:
    """The local day of a stored (naive UTC) instant."""
    return instant.replace(tzinfo=UTC).astimezone(zone).date()


def _ms(seconds: float | None) -> int:
    """Seconds as whole milliseconds (0 for none)."""
    return 0 if seconds is None else round(seconds * 1000)
