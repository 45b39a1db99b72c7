"""Read-only queries behind the portal pages: my incidents, their public thread, catalogues.

"My incidents" are those the user reported or is copied on. Written as one condition
("requester is me OR id in my participations") it reads every incident of the tab's
statuses at a million incidents, so each half is its own query on its own index:

- Reported: one branch per status over (requester_id, status, last_public_activity_at, id),
  read in order and stopped after the page; counted from the same index alone.
- Copied: from the participants' (user_id, incident_id) index, each incident by primary
  key; rows the user also reported are left to the first half, so nothing counts twice.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import CompoundSelect, Select, func, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from helpdesk import bounds, lifecycle
from helpdesk.extensions import db
from helpdesk.models import (
    REPLY,
    AuditEvent,
    Category,
    Incident,
    Message,
    Service,
    User,
    incident_participants,
)

# Resolved incidents stay under "Open" until the user confirms: they still need the user.
TABS: dict[str, frozenset[str]] = {
    "open": lifecycle.OPEN_STATUSES | {lifecycle.RESOLVED},
    "closed": lifecycle.TERMINAL_STATUSES,
}
DEFAULT_TAB = "open"
ACTIVITY = Incident.last_public_activity_at.label("activity")
# Rows of incident id and public activity, the unit every branch below yields.
IdsByActivity = Select[int, datetime]


def _statuses(tab: str) -> tuple[str, ...]:
    """The tab's statuses in lifecycle order (a stable order keeps the SQL the same)."""
    return tuple(s for s in lifecycle.STATUSES if s in TABS[tab])


def _reported(user: User, statuses: tuple[str, ...]) -> IdsByActivity:
    """Ids and activity of the incidents the user reported in these statuses."""
    return select(Incident.id, ACTIVITY).where(
        Incident.requester_id == user.id, Incident.status.in_(statuses)
    )


def _copied(user: User, statuses: tuple[str, ...]) -> IdsByActivity:
    """Ids and activity of the incidents the user is copied on, but did not report."""
    return (
        select(Incident.id, ACTIVITY)
        .select_from(incident_participants)
        .join(Incident, Incident.id == incident_participants.c.incident_id)
        .where(
            incident_participants.c.user_id == user.id,
            Incident.requester_id != user.id,
            Incident.status.in_(statuses),
        )
    )


def _involving(user: User, statuses: tuple[str, ...]) -> CompoundSelect:
    """Every incident the user reported or is copied on in these statuses, each once."""
    return union_all(_reported(user, statuses), _copied(user, statuses))


def _newest_first(query: IdsByActivity, limit: int) -> IdsByActivity:
    """The query's first `limit` rows by public activity, newest first."""
    return query.order_by(ACTIVITY.desc(), Incident.id.desc()).limit(limit)


def page_query(user: User, tab: str, offset: int, per_page: int) -> Select[Any]:
    """Ids of one page of the user's incidents in a tab, most recent activity first.

    Each branch yields its own first offset + per_page rows in order (a reported branch per
    status, read from the index in that order), so the merged top rows are the page's.
    """
    statuses, limit = _statuses(tab), offset + per_page
    branches = [_newest_first(_reported(user, (s,)), limit) for s in statuses]
    branches.append(_newest_first(_copied(user, statuses), limit))
    merged = union_all(*(select(b.subquery()) for b in branches)).subquery()
    return (
        select(merged.c.id)
        .order_by(merged.c.activity.desc(), merged.c.id.desc())
        .limit(per_page)
        .offset(offset)
    )


def count_query(user: User, tab: str) -> Select[Any]:
    """How many incidents the user has in a tab."""
    return select(func.count()).select_from(_involving(user, _statuses(tab)).subquery())


class MyIncidents(Pagination):
    """A page of "my incidents" in a tab, counted once beforehand (see my_incidents)."""

    def _query_items(self) -> list[Incident]:
        ids = list(
            db.session.scalars(
                page_query(self._query_args["user"], self._query_args["tab"],
                           self._query_offset, self.per_page)
            )
        )  # fmt: skip
        return _incidents_in_order(ids)

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def my_incidents(user: User, tab: str, page: int, per_page: int) -> Pagination:
    """One page of the user's incidents in a tab, most recent activity first; a page
    number past the end shows the last page (page numbers come from URLs)."""
    total = db.session.scalar(count_query(user, tab)) or 0
    last = max(math.ceil(total / per_page), 1)
    return MyIncidents(
        page=min(bounds.page_in_range(page), last),
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        user=user,
        tab=tab,
        total=total,
    )


def _incidents_in_order(ids: list[int]) -> list[Incident]:
    """Load incidents by id with the teams the list shows, in the order given."""
    if not ids:
        return []
    loaded = db.session.scalars(
        select(Incident)
        .where(Incident.id.in_(ids))
        .options(joinedload(Incident.assigned_team), joinedload(Incident.owner_team))
    ).unique()
    by_id = {incident.id: incident for incident in loaded}
    return [by_id[i] for i in ids]


def awaiting_confirmation(user: User) -> list[Incident]:
    """The user's resolved incidents, which wait for them to confirm the fix."""
    resolved = _involving(user, (lifecycle.RESOLVED,)).subquery()
    query = (
        select(Incident)
        .where(Incident.id.in_(select(resolved.c.id)))
        .order_by(Incident.resolved_at.desc(), Incident.id.desc())
    )
    return list(db.session.scalars(query))


def public_thread(incident: Incident) -> list[Message]:
    """The replies the requester side sees, oldest first; notes and events stay internal."""
    query = (
        select(Message)
        .where(Message.incident_id == incident.id, Message.kind == REPLY)
        .options(selectinload(Message.author), selectinload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    )
    return list(db.session.scalars(query))


def rejected_resolution(incident: Incident) -> AuditEvent | None:
    """The resolution the requester side last turned down, while the incident is being
    worked again (a new resolution takes its place on the page)."""
    if incident.status not in lifecycle.OPEN_STATUSES:
        return None
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.incident_id == incident.id,
            AuditEvent.action == lifecycle.REJECTED_RESOLUTION,
        )
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    )
    return db.session.scalars(query).first()


def active_categories() -> list[Category]:
    """Categories offered for new incidents, by name."""
    return list(db.session.scalars(select(Category).where(Category.active).order_by(Category.name)))


def active_services() -> list[Service]:
    """Services offered for new incidents, by name."""
    return list(db.session.scalars(select(Service).where(Service.active).order_by(Service.name)))
