"""The audit trail is append-only, and its subject can be any record, not only an incident."""

import pytest
from sqlalchemy import select

from helpdesk.core import audit
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, AuditTrailIsAppendOnly
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_incident, gen_user


def test_audit_events_cannot_be_edited_or_deleted(app):
    incident = gen_incident()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, incident.id))
    ).one()
    event.action = "tampered"
    assert_refused_edit_and_delete(event)
    assert db.session.scalars(select(AuditEvent.action)).all() == ["opened"]


def test_core_writer_records_an_event_about_any_record(app):
    admin = gen_user("admin")
    person = gen_user(name="Pat Person")
    audit.record("user", person.id, admin, "renamed", before="Pat", after="Pat Person")
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.about("user", person.id))).one()
    assert (event.actor, event.action) == (admin, "renamed")
    assert event.details == {"before": "Pat", "after": "Pat Person"}
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.about_any("user", [admin.id, person.id]))
    ).all() == [event]
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.about(INCIDENT, person.id))).all()
        == []
    )
    event.subject_id = admin.id
    assert_refused_edit_and_delete(event)
    assert db.session.scalars(select(AuditEvent.subject_id)).all() == [person.id]


def assert_refused_edit_and_delete(event: AuditEvent) -> None:
    """Committing the pending edit of `event`, then its deletion, is refused each time."""
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
