"""Replies and notes: who may write, and what a reply does to the incident."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail
from helpdesk.sla_policies import clocks
from tests.factories import gen_incident, gen_user
from tests.sla_policy import seed_standard


@pytest.fixture
def parties(app):
    requester, agent = gen_user(), gen_user("agent")
    return requester, agent, gen_incident(requester)


def test_agent_reply_sets_first_response_and_emails_requester(parties):
    requester, agent, incident = parties
    message = incidents.add_reply(incident, agent, "Please restart the router.", channel="agent")
    assert incident.first_response_at == message.created_at
    mails = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
    assert mails[-1].recipient == requester.email
    assert b"Please restart the router." in mails[-1].raw


def test_first_response_is_not_moved_by_later_replies(parties):
    _, agent, incident = parties
    first = incidents.add_reply(incident, agent, "On it.")
    incidents.add_reply(incident, agent, "Still on it.")
    assert incident.first_response_at == first.created_at


def test_stranger_cannot_reply(parties):
    _, _, incident = parties
    with pytest.raises(incidents.NotAllowed):
        incidents.add_reply(incident, gen_user(), "me too")


def test_participant_can_reply(parties):
    _, _, incident = parties
    colleague = gen_user()
    incident.participants.append(colleague)
    db.session.commit()
    assert incidents.add_reply(incident, colleague, "Same here").author_id == colleague.id


def test_empty_reply_is_refused(parties):
    requester, _, incident = parties
    with pytest.raises(incidents.InvalidInput, match="cannot be empty"):
        incidents.add_reply(incident, requester, "  \n ")


def test_requester_reply_reopens_resolved_incident(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Cleared the cache")
    incidents.add_reply(incident, requester, "It is broken again")
    assert incident.status == "in_progress"
    assert incident.resolved_at is None


def test_reply_after_reopen_window_is_refused(app, parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Done")
    incident.resolved_at -= timedelta(days=app.config["REOPEN_WINDOW_DAYS"] + 1)
    db.session.commit()
    with pytest.raises(incidents.InvalidInput, match="too long ago"):
        incidents.add_reply(incident, requester, "Again")


def test_reply_to_closed_incident_is_refused(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Done")
    incidents.confirm_resolution(incident, requester)
    with pytest.raises(incidents.InvalidInput, match="closed"):
        incidents.add_reply(incident, requester, "one more thing")


def test_requester_reply_ends_wait_for_user_and_resumes_sla(clock, parties):
    requester, agent, incident = parties
    seed_standard()
    clocks.recompute(incident)
    due_before = incident.resolution_due_at
    incidents.change_status(incident, agent, "on_hold", hold_reason="awaiting_user")
    assert incident.sla_paused_at == clock.now
    clock.advance(hours=2)
    incidents.add_reply(incident, requester, "Here is the log you asked for")
    assert incident.status == "in_progress"
    assert incident.resolution_due_at - due_before >= timedelta(hours=2)


def test_notes_are_for_agents_only(parties):
    requester, agent, incident = parties
    with pytest.raises(incidents.NotAllowed):
        incidents.add_note(incident, requester, "secret")
    note = incidents.add_note(incident, agent, "Probably the switch on floor 3")
    assert note.kind == "note" and not note.is_public


def test_note_sends_no_mail(parties):
    _, agent, incident = parties
    before = db.session.query(OutboundEmail).count()
    incidents.add_note(incident, agent, "internal only")
    assert db.session.query(OutboundEmail).count() == before


def test_internal_note_does_not_change_what_the_requester_sees(parties):
    _, agent, incident = parties
    public_before = incident.last_public_activity_at
    incidents.add_note(incident, agent, "Checked the DHCP logs")
    assert incident.last_activity_at > public_before
    assert incident.last_public_activity_at == public_before


def test_refused_reply_leaves_nothing_behind(app, parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Done")
    incident.resolved_at -= timedelta(days=app.config["REOPEN_WINDOW_DAYS"] + 1)
    db.session.commit()
    with pytest.raises(incidents.InvalidInput):
        incidents.add_reply(incident, requester, "Again")
    assert not db.session.new and not db.session.dirty
    assert incident.status == "resolved"
