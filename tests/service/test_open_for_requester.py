"""Agents log incidents for callers (phone, walk-in, chat): the channel is recorded, the
requester is acknowledged like anyone, and the audit trail names the agent who logged it."""

import pytest
from sqlalchemy import func, select

from helpdesk import accounts, incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, Message, OutboundEmail
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_category, gen_service, gen_user


def phone_report(**fields):
    """What an agent types while on the phone."""
    return incidents.IncidentReport(
        subject=fields.pop("subject", "Cannot print"),
        description=fields.pop("description", "Caller says the printer on floor 2 shows E13."),
        channel=fields.pop("channel", "phone"),
        **fields,
    )


def incident_count():
    """How many incidents exist."""
    return db.session.scalar(select(func.count()).select_from(Incident))


@pytest.mark.parametrize("channel", ["phone", "walk-in", "chat"])
def test_agent_logs_an_incident_by_each_channel(app, channel):
    agent, caller = gen_user("agent"), gen_user(name="Ann Lee", email="ann@example.org")
    incident = incidents.open_for_requester(agent, caller, phone_report(channel=channel))
    db.session.expire_all()
    assert incident.requester_id == caller.id
    assert incident.channel == channel
    first = db.session.scalars(select(Message).where(Message.incident_id == incident.id)).one()
    assert (first.channel, first.author_id) == (channel, caller.id)


def test_the_audit_trail_says_which_agent_logged_it_for_whom(app):
    agent, caller = gen_user("agent"), gen_user(name="Ann Lee", email="ann@example.org")
    incident = incidents.open_for_requester(agent, caller, phone_report())
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, incident.id))
    ).one()
    assert (event.action, event.actor_id) == ("opened", agent.id)
    assert event.details["channel"] == "phone"
    assert event.details["logged_for"] == "Ann Lee <ann@example.org>"


def test_an_incident_people_open_themselves_has_no_logged_for(app):
    requester = gen_user()
    incident = incidents.open_incident(requester, phone_report(channel="portal"))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, incident.id))
    ).one()
    assert "logged_for" not in event.details


def test_the_requester_gets_the_usual_acknowledgement(app):
    agent, caller = gen_user("agent"), gen_user(email="caller@example.org")
    incident = incidents.open_for_requester(agent, caller, phone_report(subject="VPN drops"))
    mail = db.session.scalars(select(OutboundEmail)).one()
    assert mail.recipient == "caller@example.org"
    assert f"[{incident.reference}] VPN drops" in mail.subject
    assert b"Auto-Submitted: auto-replied" in mail.raw


def test_a_new_requester_created_from_an_address_is_acknowledged(app):
    agent = gen_user("agent")
    caller = accounts.ensure_user_for_email("new.caller@example.org", "New Caller")
    incidents.open_for_requester(agent, caller, phone_report())
    assert not caller.has_password
    assert db.session.scalars(select(OutboundEmail.recipient)).all() == ["new.caller@example.org"]


def test_the_call_is_the_first_response(app):
    agent, caller = gen_user("agent"), gen_user()
    incident = incidents.open_for_requester(agent, caller, phone_report())
    assert incident.first_response_at == incident.created_at


def test_classification_is_kept(app):
    agent, caller = gen_user("agent"), gen_user()
    category, service = gen_category("Printing"), gen_service("Printers")
    report = phone_report(
        impact="high", urgency="high", category_id=category.id, service_id=service.id
    )
    incident = incidents.open_for_requester(agent, caller, report)
    assert (incident.priority, incident.category_id, incident.service_id) == (
        1,
        category.id,
        service.id,
    )


def test_only_agents_log_for_callers(app):
    user, caller = gen_user(), gen_user()
    with pytest.raises(incidents.NotAllowed):
        incidents.open_for_requester(user, caller, phone_report())
    assert incident_count() == 0


@pytest.mark.parametrize("channel", ["portal", "email", "fax", ""])
def test_agents_log_only_phone_walk_in_and_chat(app, channel):
    agent, caller = gen_user("agent"), gen_user()
    with pytest.raises(incidents.InvalidInput, match="phone, walk-in or chat"):
        incidents.open_for_requester(agent, caller, phone_report(channel=channel))
    assert incident_count() == 0


def test_an_unknown_channel_is_refused_everywhere(app):
    with pytest.raises(incidents.InvalidInput, match="Unknown channel 'fax'"):
        incidents.open_incident(gen_user(), phone_report(channel="fax"))
    assert incident_count() == 0


def test_a_deactivated_requester_is_refused(app):
    agent, caller = gen_user("agent"), gen_user()
    accounts.update_user(caller.id, caller.name, "user", False, gen_user("admin"))
    with pytest.raises(incidents.InvalidInput, match="deactivated"):
        incidents.open_for_requester(agent, caller, phone_report())
    assert incident_count() == 0


def test_a_refused_report_leaves_nothing(app):
    agent, caller = gen_user("agent"), gen_user()
    with pytest.raises(incidents.InvalidInput, match="Subject cannot be empty"):
        incidents.open_for_requester(agent, caller, phone_report(subject=" "))
    assert incident_count() == 0
    assert db.session.scalars(select(OutboundEmail)).all() == []
