"""The demo clock: spreading a history that is created in seconds over the last weeks.

The service layer stamps everything with the real time, which is right for real use. For
the demo, each step is played just after `Clock.step_at()` recorded the real moment and the
moment it stands for; `backdate()` then moves every timestamp the step produced to that
moment. Doing it afterwards, instead of faking the time inside the service layer, keeps the
service layer free of demo concerns.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, DateTime, bindparam, func, select, update

from helpdesk.extensions import Model, db
from helpdesk.models import Attachment, AuditEvent, Incident, IncidentLink, Message, User, utcnow
from helpdesk.models.audit import INCIDENT
from helpdesk.sla_policies import clocks

# Recomputed from the re-timed audit trail instead of being shifted (see _settle_incidents).
DUE_TIMES = {"response_due_at", "resolution_due_at"}


class Clock:
    """Pairs of (real moment, demo moment), one per played step, in real-time order."""

    def __init__(self, now: datetime | None = None) -> None:
        """Start with no steps; `now` is the moment the history leads up to (default: the
        real time the demo is loaded at)."""
        self.real: list[datetime] = []
        self.demo: list[datetime] = []
        self.now = now or utcnow()
        self._story_start = 0

    def begin(self, moment: datetime) -> None:
        """Start a new story whose first step happens at `moment`."""
        self._story_start = len(self.demo)
        self.step_at(moment)

    def step_at(self, moment: datetime) -> None:
        """The next service call stands for something done at `moment`."""
        self.real.append(utcnow())
        self.demo.append(moment)

    def advance(self, minutes: float) -> None:
        """The next service call happens `minutes` after the previous step."""
        self.step_at(self.demo[-1] + timedelta(minutes=minutes))

    @property
    def current(self) -> datetime:
        """The demo moment of the latest step."""
        return self.demo[-1]

    def finish(self, latest: datetime) -> None:
        """Squeeze the current story's steps so that none of them lies after `latest`."""
        first, last = self.demo[self._story_start], self.demo[-1]
        if last <= latest:
            return
        ratio = max(latest - first, timedelta(0)) / (last - first)
        for index in range(self._story_start, len(self.demo)):
            self.demo[index] = first + (self.demo[index] - first) * ratio

    def map(self, real: datetime | None) -> datetime | None:
        """Return the demo moment for a timestamp written during the playing of the steps."""
        if real is None:
            return None
        index = bisect.bisect_right(self.real, real) - 1
        if index < 0:
            return real
        return self.demo[index] + (real - self.real[index])


def backdate(clock: Clock, incident_ids: list[int], user_ids: list[int]) -> None:
    """Move every timestamp of the demo incidents (and their history) to its demo moment."""
    messages = select(Message.id).where(Message.incident_id.in_(incident_ids))
    _remap(clock, Incident, Incident.id.in_(incident_ids))
    _remap(clock, Message, Message.incident_id.in_(incident_ids))
    _remap(clock, Attachment, Attachment.message_id.in_(messages))
    # The audit trail is append-only for the application (an ORM guard refuses updates).
    # Demo history is fabricated in one go, so its events are re-timed like everything else,
    # with a Core UPDATE that deliberately bypasses that guard.
    _remap(clock, AuditEvent, AuditEvent.about_any(INCIDENT, incident_ids))
    _remap(clock, IncidentLink, IncidentLink.low_id.in_(incident_ids))
    db.session.expire_all()  # loaded objects still hold the times before the Core updates
    _settle_incidents(incident_ids)
    earliest = min(clock.demo) - timedelta(days=14)  # people joined before their first incident
    db.session.execute(update(User).where(User.id.in_(user_ids)).values(created_at=earliest))
    db.session.commit()


def _remap(clock: Clock, model: type[Model], condition: ColumnElement[bool]) -> None:
    """Rewrite every timestamp column of the matching rows through the clock."""
    table = Model.metadata.tables[model.__tablename__]
    keys = tuple(column.name for column in table.primary_key)
    columns = tuple(
        column.name
        for column in table.columns
        if isinstance(column.type, DateTime) and column.name not in DUE_TIMES
    )
    rows = db.session.execute(select(*[table.c[name] for name in keys + columns]).where(condition))
    params = [
        {f"key_{name}": row[name] for name in keys}
        | {f"new_{name}": clock.map(row[name]) for name in columns}
        for row in rows.mappings()
    ]
    if params:
        statement = (
            update(table)
            .where(*[table.c[name] == bindparam(f"key_{name}") for name in keys])
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        db.session.connection().execute(statement, params)


def _settle_incidents(incident_ids: list[int]) -> None:
    """Recompute the SLA clocks from the re-timed audit trails, and keep the activity times
    in step with the (re-timed) newest message and audit event."""
    newest_message = dict(
        db.session.execute(
            select(Message.incident_id, func.max(Message.created_at))
            .where(Message.incident_id.in_(incident_ids))
            .group_by(Message.incident_id)
        ).all()
    )
    newest_event = dict(
        db.session.execute(
            select(AuditEvent.subject_id, func.max(AuditEvent.created_at))
            .where(AuditEvent.about_any(INCIDENT, incident_ids))
            .group_by(AuditEvent.subject_id)
        ).all()
    )
    for incident in db.session.scalars(select(Incident).where(Incident.id.in_(incident_ids))):
        clocks.recompute(incident)
        incident.last_activity_at = max(
            incident.last_activity_at, newest_message.get(incident.id, incident.created_at)
        )
        incident.updated_at = max(
            incident.updated_at, newest_event.get(incident.id, incident.created_at)
        )
