"""Opening incidents through the service layer."""

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Message, OutboundEmail
from helpdesk.models.audit import INCIDENT
from tests.conftest import reconfigure
from tests.factories import gen_category, gen_incident, gen_service, gen_user
from tests.sla_policy import seed_standard


def test_open_sets_reference_priority_sla_and_first_message(app):
    seed_standard()
    requester = gen_user()
    incident = gen_incident(requester, subject="VPN drops", urgency="high", impact="medium")
    assert incident.reference == f"INC-{incident.id:06d}"
    assert incident.priority == 2
    assert incident.status == "new"
    assert incident.response_due_at < incident.resolution_due_at
    first = db.session.scalars(select(Message).where(Message.incident_id == incident.id)).one()
    assert first.kind == "reply" and first.author_id == requester.id
    assert first.body == incident.description


def test_reference_prefix_is_configurable(app):
    reconfigure(app, REFERENCE_PREFIX="IT")
    assert gen_incident().reference.startswith("IT-")


def test_open_writes_audit_event_and_acknowledgement(app):
    incident = gen_incident(subject="Laptop will not boot")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, incident.id))
    ).one()
    assert event.action == "opened"
    mail = db.session.scalars(select(OutboundEmail)).one()
    assert mail.recipient == incident.requester.email
    assert f"[{incident.reference}] Laptop will not boot" in mail.subject
    assert b"Auto-Submitted: auto-replied" in mail.raw


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": "   "}, "Subject cannot be empty"),
        ({"description": ""}, "Description cannot be empty"),
        ({"subject": "x" * 256}, "Subject is too long"),
        ({"urgency": "extreme"}, "Urgency must be high, medium or low"),
        ({"category_id": 9999}, "Unknown category"),
        ({"service_id": 9999}, "Unknown service"),
    ],
)
def test_invalid_reports_are_refused_and_nothing_is_saved(app, fields, message):
    requester = gen_user()
    with pytest.raises(incidents.DomainError, match=message):
        gen_incident(requester, **fields)
    db.session.rollback()
    assert db.session.scalars(select(Message)).all() == []


def test_invisible_control_characters_are_dropped_from_typed_text(app):
    # Pasted text can carry NUL and other control characters; PostgreSQL refuses NUL.
    incident = gen_incident(subject="Printer\x00 jam\x1b", description="Line 1\r\n\tLine\x00 2\x07")
    assert incident.subject == "Printer jam"
    assert incident.description == "Line 1\r\n\tLine 2"
    with pytest.raises(incidents.DomainError, match="Subject cannot be empty"):
        gen_incident(subject="\x00\x01")


def test_retired_category_cannot_be_chosen(app):
    retired = gen_category("Fax machines", active=False)
    with pytest.raises(incidents.InvalidInput, match="retired"):
        gen_incident(category_id=retired.id)


def test_category_and_service_are_kept(app):
    category, service = gen_category("Network"), gen_service("VPN")
    incident = gen_incident(category_id=category.id, service_id=service.id)
    assert (incident.category.name, incident.service.name) == ("Network", "VPN")


def test_only_agents_file_for_someone_else(app):
    requester, other = gen_user(), gen_user()
    report = incidents.IncidentReport(subject="Printer", description="jammed")
    with pytest.raises(incidents.NotAllowed):
        incidents.open_incident(requester, report, actor=other)
    agent = gen_user("agent")
    incident = incidents.open_incident(requester, report, actor=agent)
    assert incident.requester_id == requester.id


def test_attachments_are_stored_with_size_and_type(app):
    data = b"log line\n" * 100
    incident = gen_incident(
        attachments=[incidents.NewAttachment("..\\..\\error.log", "text/plain", data)]
    )
    message = db.session.scalars(select(Message).where(Message.incident_id == incident.id)).one()
    (attachment,) = message.attachments
    assert attachment.filename == "error.log"
    assert attachment.size == len(data)
    assert attachment.content_type == "text/plain"


def test_oversized_attachment_is_refused(app):
    reconfigure(app, MAX_UPLOAD_MB=1)
    big = incidents.NewAttachment("dump.bin", "application/octet-stream", b"x" * (1024 * 1024 + 1))
    with pytest.raises(incidents.InvalidInput, match="larger than 1 MB"):
        gen_incident(attachments=[big])


def test_follow_up_of_closed_incident_is_linked(app):
    requester = gen_user()
    closed = gen_incident(requester)
    agent = gen_user("agent")
    incidents.resolve(closed, agent, "fixed", "Replaced toner")
    incidents.confirm_resolution(closed, requester)
    report = incidents.IncidentReport(subject="Again", description="Jammed again")
    follow_up = incidents.open_follow_up(closed, requester, report).incident
    assert follow_up.reopened_from_id == closed.id
    assert incidents.related(follow_up) == [closed]
