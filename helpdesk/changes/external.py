"""Changes mirrored from an external change system (a Jira or ServiceNow change) under that
system's id: the first call creates the change, every later one with the same id updates it.

The external system runs the change, so its status is taken as it says, not walked through
the console's moves. Two mirrors of one new id at once make one change: the row is claimed
by an INSERT that does nothing on a conflict with the unique index (on PostgreSQL the second
waits for the first to commit, then finds its row, locked until it commits in turn).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from helpdesk.changes.audit import record
from helpdesk.changes.records import EXTERNAL_ID_MAX, ChangePlan, assign, checked, opened
from helpdesk.changes.status import STATUS_LABELS, settle
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import Change, User, utcnow


@unit_of_work
def record_external(
    actor: User,
    external_id: str,
    plan: ChangePlan,
    status: str | None = None,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
) -> tuple[Change, bool]:
    """Create or update the change the external system knows as `external_id`; return it
    and whether it was created. A repeat of the same facts changes and records nothing."""
    check.require_agent(actor)
    key = check.required_text(external_id, "External id", EXTERNAL_ID_MAX)
    if status is not None and status not in STATUS_LABELS:
        raise InvalidInput(f"Unknown change status {status!r}.")
    values = checked(replace(plan, external_id=key))
    created = _claim(key, values["title"])
    change = db.session.scalars(
        select(Change).where(Change.external_id == key).with_for_update()
    ).one()
    changes = assign(change, values)
    if created:
        change.created_by = actor
        opened(change, actor)
    elif changes:
        record(change, actor, "updated", changes=changes)
    if status is not None or actual_start is not None or actual_end is not None:
        settle(change, actor, status or change.status, actual_start, actual_end)
    commit()
    return change, created


def _claim(external_id: str, title: str) -> bool:
    """Insert a bare planned change for the id unless one has it; whether this inserted it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    statement = (
        dialect.insert(Change)
        .values(external_id=external_id, title=title, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[Change.external_id])
        .returning(Change.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None
