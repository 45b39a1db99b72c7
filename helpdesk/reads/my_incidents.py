"""Read-only queries behind the portal pages: my incidents, their public thread, catalogues.

"My incidents" are those the user reported or is copied on. Written as one condition
("requester is me OR id in my participations") it reads every incident of the tab's
statuses at a million incidents, so each half is read through its own index:

- Reported: one branch per status over (requester_id, status, last_public_activity_at, id),
  read in order and stopped after the page; counted from the same index alone.
- Copied: the participants' (user_id, incident_id) index gives the ids, but status and
  activity take a primary-key lookup each, the costly part; so they are read once per page
  view (copied_on), and the tab's page, its count and the resolved ones are taken from
  them. Incidents the user also reported are left to the first half: none counts twice.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from datetime import datetime
from functools import reduce
from typing import Any, NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import selectinload

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
from helpdesk.models.audit import INCIDENT
from helpdesk.reads.in_order import incidents_in_order

# Resolved incidents stay under "Open" until the user confirms: they still need the user.
TABS: dict[str, frozenset[str]] = {
    "open": lifecycle.OPEN_STATUSES | {lifecycle.RESOLVED},
    "closed": lifecycle.TERMINAL_STATUSES,
}
DEFAULT_TAB = "open"
ACTIVITY = Incident.last_public_activity_at.label("activity")


def tab_statuses(tab: str) -> tuple[str, ...]:
    """The tab's statuses in lifecycle order (a stable order keeps the SQL the same)."""
    return tuple(s for s in lifecycle.STATUSES if s in TABS[tab])


class Copied(NamedTuple):
    """An incident the user is copied on and did not report: what the lists need of it."""

    id: int
    status: str
    activity: datetime


def copied_on_query(user: User) -> Select[int, str, datetime]:
    """The incidents the user is copied on but did not report, in any status."""
    return (
        select(Incident.id, Incident.status, Incident.last_public_activity_at)
        .select_from(incident_participants)
        .join(Incident, Incident.id == incident_participants.c.incident_id)
        .where(incident_participants.c.user_id == user.id, Incident.requester_id != user.id)
    )


def copied_on(user: User) -> list[Copied]:
    """Every incident the user is copied on but did not report (read once per page view:
    each needs a primary-key lookup for its status and activity)."""
    return [Copied(*row) for row in db.session.execute(copied_on_query(user))]


def _reported(user: User, statuses: tuple[str, ...]) -> Select[int, datetime]:
    """Ids and activity of the incidents the user reported in these statuses."""
    return select(Incident.id, ACTIVITY).where(
        Incident.requester_id == user.id, Incident.status.in_(statuses)
    )


def reported_count_query(user: User, statuses: tuple[str, ...]) -> Select[Any]:
    """How many incidents the user reported in these statuses (from the index alone): one
    count per status, added, so that requester and status both stay index conditions even
    in PostgreSQL's generic plan for a prepared statement (with `status IN (...)` that plan
    read every index entry of the requester and filtered the status: 10.7 ms where the
    custom plan took 2.3, for a requester with 12,959 incidents; bench/pg_plans.py)."""
    per_status = [
        select(func.count()).select_from(_reported(user, (status,)).subquery()).scalar_subquery()
        for status in statuses
    ]
    return select(reduce(operator.add, per_status))


def reported_page_query(
    user: User, statuses: tuple[str, ...], skip: int, limit: int
) -> Select[Any]:
    """The user's reported incidents in these statuses, most recently active first, from
    the skip-th to the limit-th, as (id, activity): a branch per status reads the index in
    that order and stops at `limit`."""
    branches = [
        _reported(user, (status,)).order_by(ACTIVITY.desc(), Incident.id.desc()).limit(limit)
        for status in statuses
    ]
    merged = union_all(*(select(b.subquery()) for b in branches)).subquery()
    return (
        select(merged.c.id, merged.c.activity)
        .order_by(merged.c.activity.desc(), merged.c.id.desc())
        .limit(limit - skip)
        .offset(skip)
    )


def mine_after(
    user: User, statuses: tuple[str, ...], after: tuple[datetime, int] | None, limit: int
) -> list[int]:
    """The ids of the user's incidents (reported or copied on) in these statuses, most
    recently active first, the first `limit` past `after` (activity, id): keyset paging for
    programs, each reported status and the copied ones read as their own branch."""
    copied = (
        select(Incident.id, ACTIVITY)
        .select_from(incident_participants)
        .join(Incident, Incident.id == incident_participants.c.incident_id)
        .where(
            incident_participants.c.user_id == user.id,
            Incident.requester_id != user.id,
            Incident.status.in_(statuses),
        )
    )
    branches = [*(_reported(user, (status,)) for status in statuses), copied]
    cut = [_past(branch, after).limit(limit) for branch in branches]
    merged = union_all(*(select(branch.subquery()) for branch in cut)).subquery()
    newest = select(merged.c.id).order_by(merged.c.activity.desc(), merged.c.id.desc())
    return list(db.session.scalars(newest.limit(limit)))


def _past(
    branch: Select[int, datetime], after: tuple[datetime, int] | None
) -> Select[int, datetime]:
    """A branch cut to the rows after the cursor, newest activity first."""
    activity = Incident.last_public_activity_at
    ordered = branch.order_by(activity.desc(), Incident.id.desc())
    if after is None:
        return ordered
    moment, last = after
    return ordered.where(activity <= moment, (activity < moment) | (Incident.id < last))


class MyIncidents(Pagination):
    """A page of "my incidents", worked out beforehand (see my_incidents)."""

    def _query_items(self) -> list[Incident]:
        return list(self._query_args["incidents"])

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def my_incidents(
    user: User, tab: str, page: int, per_page: int, copied: Sequence[Copied]
) -> Pagination:
    """One page of the user's incidents in a tab, most recent activity first, given what
    they are copied on (copied_on); a page number past the end shows the last page (page
    numbers come from URLs)."""
    statuses = tab_statuses(tab)
    also = [(row.activity, row.id) for row in copied if row.status in statuses]
    total = (db.session.scalar(reported_count_query(user, statuses)) or 0) + len(also)
    page = min(bounds.page_in_range(page), max(math.ceil(total / per_page), 1))
    offset = (page - 1) * per_page
    # At most len(also) copied rows come before the page, so at least `skip` reported ones
    # do: the database passes over those, and the merge starts that many rows in.
    skip = max(offset - len(also), 0)
    reported = db.session.execute(reported_page_query(user, statuses, skip, offset + per_page))
    newest = sorted([*((row.activity, row.id) for row in reported), *also], reverse=True)
    ids = [ident for _, ident in newest[offset - skip : offset - skip + per_page]]
    return MyIncidents(
        page=page,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        incidents=incidents_in_order(ids, Incident.assigned_team, Incident.owner_team),
        total=total,
    )


def awaiting_confirmation(user: User, copied: Sequence[Copied]) -> list[Incident]:
    """The user's resolved incidents, which wait for them to confirm the fix, given what
    they are copied on (copied_on)."""
    reported = db.session.scalars(
        _reported(user, (lifecycle.RESOLVED,)).with_only_columns(Incident.id)
    )
    ids = [*reported, *(row.id for row in copied if row.status == lifecycle.RESOLVED)]
    if not ids:
        return []
    query = (
        select(Incident)
        .where(Incident.id.in_(ids))
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
            AuditEvent.about(INCIDENT, incident.id),
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
