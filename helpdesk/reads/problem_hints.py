"""The hint that recurring incidents may share a cause: when `hint_incidents` incidents on
one service (or category) were opened within `hint_window` (settings().problems), each of
their pages suggests opening a problem that links them, and the queues list each such
service or category at their top.

Counted are the incidents not yet linked to a problem, neither cancelled nor merged away:
once a problem links them, the hint is gone. On an incident's page the service is asked
first: it says more about a shared cause than a category does.

No index leads with created_at. An incident opened within the window has been active
within it too (its last activity is never before its opening), so each query also bounds
last_activity_at, which ix_incidents_activity reads as a range: the rows read are the
incidents active in the last hours, not the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from helpdesk.core.settings import ProblemSettings, settings
from helpdesk.extensions import db
from helpdesk.lifecycle import CANCELLED
from helpdesk.models import CatalogueEntry, Category, Incident, Service

# How many incidents one hint links at most (a flood is one problem, not a huge form).
MOST = 200
# How many services and categories the queues list at most.
QUEUE_HINTS = 5
KINDS: tuple[tuple[str, Any, type[CatalogueEntry]], ...] = (
    ("service", Incident.service_id, Service),
    ("category", Incident.category_id, Category),
)


def suggestion(count: int, about: str, window_hours: float) -> str:
    """ "5 incidents about VPN in 2 hours: open a problem?" """
    hours = f"{window_hours:g} hour{'' if window_hours == 1 else 's'}"
    return f"{count} incidents about {about} in {hours}: open a problem?"


@dataclass(frozen=True)
class Hint:
    """Recurring incidents about one service or category, opened within the window."""

    kind: str  # "service" or "category"
    entry_id: int
    about: str  # the service's or category's name
    incident_ids: tuple[int, ...]
    window_hours: float

    @property
    def count(self) -> int:
        """How many incidents the hint is about."""
        return len(self.incident_ids)

    @property
    def sentence(self) -> str:
        """The hint in words."""
        return suggestion(self.count, self.about, self.window_hours)


@dataclass(frozen=True)
class Recurring:
    """A service or category the queues point out, with its newest incident, whose page
    opens the problem in one click."""

    about: str
    count: int
    newest: str  # the newest incident's reference
    window_hours: float

    @property
    def sentence(self) -> str:
        """The hint in words."""
        return suggestion(self.count, self.about, self.window_hours)


def recurring(count: int, rule: ProblemSettings) -> bool:
    """Whether this many incidents in the window make a hint (pure: tested without a
    database)."""
    return count >= rule.hint_incidents


def _counted(since: datetime) -> list[ColumnElement[bool]]:
    """The conditions an incident meets to count: opened since then, no problem yet, not
    cancelled nor merged (the bound on last activity is for the index, see above)."""
    return [
        Incident.last_activity_at >= since,
        Incident.created_at >= since,
        Incident.problem_id.is_(None),
        Incident.merged_into_id.is_(None),
        Incident.status != CANCELLED,
    ]


def hint_for(incident: Incident, now: datetime) -> Hint | None:
    """The hint to show on the incident's page, or None."""
    rule = settings().problems
    since = now - rule.hint_window
    if not _counts_itself(incident, since):
        return None
    entries: dict[str, CatalogueEntry | None] = {
        "service": incident.service,
        "category": incident.category,
    }
    hours = rule.hint_window.total_seconds() / 3600
    for kind, column, _model in KINDS:
        entry = entries[kind]
        if entry is None:
            continue
        found = list(
            db.session.scalars(
                select(Incident.id)
                .where(column == entry.id, *_counted(since))
                .order_by(Incident.id.desc())
                .limit(MOST)
            )
        )
        if recurring(len(found), rule):
            return Hint(kind, entry.id, entry.name, tuple(found), hours)
    return None


def _counts_itself(incident: Incident, since: datetime) -> bool:
    """Whether the incident itself is one the hint counts."""
    return (
        incident.problem_id is None
        and incident.merged_into_id is None
        and incident.status != CANCELLED
        and incident.created_at >= since
    )


def recurring_now(now: datetime) -> list[Recurring]:
    """The services, then categories, with enough recent incidents for a hint, most
    incidents first (at most QUEUE_HINTS), for the top of the queues."""
    rule = settings().problems
    since = now - rule.hint_window
    hours = rule.hint_window.total_seconds() / 3600
    groups: list[tuple[str, int, int]] = []
    for _kind, column, model in KINDS:
        count = func.count(Incident.id)
        rows = db.session.execute(
            select(model.name, count, func.max(Incident.id))
            .join(model, model.id == column)
            .where(*_counted(since))
            .group_by(model.id, model.name)
            .having(count >= rule.hint_incidents)
            .order_by(count.desc(), model.name)
            .limit(QUEUE_HINTS)
        )
        groups.extend((name, number, newest) for name, number, newest in rows)
    groups = groups[:QUEUE_HINTS]
    newest_ids = [newest for _, _, newest in groups]
    found = db.session.execute(
        select(Incident.id, Incident.reference).where(Incident.id.in_(newest_ids))
    )
    references = {ident: reference for ident, reference in found}
    return [
        Recurring(name, number, references.get(newest) or "", hours)
        for name, number, newest in groups
    ]
