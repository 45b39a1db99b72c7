"""The hint that recurring incidents may share a cause: when `hint_incidents` incidents on
one service (or category) were opened within `hint_window` (settings().problems), each of
their pages suggests opening a problem that links them.

Counted are the incidents not yet linked to a problem, neither cancelled nor merged away:
once a problem links them, the hint is gone. The service is asked first: it says more about
a shared cause than a category does.

The query reads incidents by (service_id or category_id, created_at): without an index on
those columns it scans the recent rows of the table (see the helper's report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.core.settings import ProblemSettings, settings
from helpdesk.extensions import db
from helpdesk.lifecycle import CANCELLED
from helpdesk.models import CatalogueEntry, Incident

# How many incidents one hint links at most (a flood is one problem, not a huge form).
MOST = 200


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
        """ "5 incidents about VPN in 2 hours: open a problem?" """
        hours = f"{self.window_hours:g} hour{'' if self.window_hours == 1 else 's'}"
        return f"{self.count} incidents about {self.about} in {hours}: open a problem?"


def recurring(count: int, rule: ProblemSettings) -> bool:
    """Whether this many incidents in the window make a hint (pure: tested without a
    database)."""
    return count >= rule.hint_incidents


def hint_for(incident: Incident, now: datetime) -> Hint | None:
    """The hint to show on the incident's page, or None."""
    rule = settings().problems
    since = now - rule.hint_window
    if not _counted(incident, since):
        return None
    candidates: list[tuple[str, CatalogueEntry | None]] = [
        ("service", incident.service),
        ("category", incident.category),
    ]
    for kind, entry in candidates:
        if entry is None:
            continue
        found = _recent(kind, entry.id, since)
        if recurring(len(found), rule):
            hours = rule.hint_window.total_seconds() / 3600
            return Hint(kind, entry.id, entry.name, tuple(found), hours)
    return None


def _counted(incident: Incident, since: datetime) -> bool:
    """Whether the incident itself is one the hint counts."""
    return (
        incident.problem_id is None
        and incident.merged_into_id is None
        and incident.status != CANCELLED
        and incident.created_at >= since
    )


def _recent(kind: str, entry_id: int, since: datetime) -> list[int]:
    """The ids of the unlinked incidents on one service or category opened since then,
    newest first."""
    column = Incident.service_id if kind == "service" else Incident.category_id
    query = (
        select(Incident.id)
        .where(
            column == entry_id,
            Incident.created_at >= since,
            Incident.problem_id.is_(None),
            Incident.merged_into_id.is_(None),
            Incident.status != CANCELLED,
        )
        .order_by(Incident.id.desc())
        .limit(MOST)
    )
    return list(db.session.scalars(query))
