"""The audit trail is append-only."""

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEvent, AuditTrailIsAppendOnly
from tests.factories import gen_incident


def test_audit_events_cannot_be_edited_or_deleted(app):
    incident = gen_incident()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.incident_id == incident.id)
    ).one()
    event.action = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.action)).all() == ["opened"]
