"""Status changes, resolution, cancellation, and the requester's confirmation and rating."""

import pytest
from sqlalchemy import select

from helpdesk import incidents, lifecycle
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, OutboundEmail
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_incident, gen_user


@pytest.fixture
def parties(app):
    requester, agent = gen_user(), gen_user("agent")
    return requester, agent, gen_incident(requester)


def actions(incident):
    """The audit trail's actions, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_change_status_is_audited_with_actor(parties):
    _, agent, incident = parties
    incidents.change_status(incident, agent, "in_progress")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "status_changed")
    ).one()
    assert event.actor_id == agent.id
    assert event.details == {"from": "new", "to": "in_progress"}


def test_forbidden_transition_gives_readable_error(parties):
    _, agent, incident = parties
    with pytest.raises(incidents.InvalidInput, match="new cannot become closed"):
        incidents.change_status(incident, agent, "closed")
    assert incident.status == "new"


def test_hold_needs_a_reason(parties):
    _, agent, incident = parties
    with pytest.raises(incidents.InvalidInput, match="on hold"):
        incidents.change_status(incident, agent, "on_hold")
    incidents.change_status(incident, agent, "on_hold", hold_reason="awaiting_vendor")
    assert incident.on_hold_reason == "awaiting_vendor"
    assert incident.sla_paused_at is None  # only waiting for the user stops the clock


def test_resolve_and_cancel_need_their_own_forms(parties):
    _, agent, incident = parties
    with pytest.raises(incidents.InvalidInput, match="resolution code"):
        incidents.change_status(incident, agent, "resolved")
    with pytest.raises(incidents.InvalidInput, match="reason"):
        incidents.change_status(incident, agent, "cancelled")


def test_users_cannot_change_status(parties):
    requester, _, incident = parties
    with pytest.raises(incidents.NotAllowed):
        incidents.change_status(incident, requester, "in_progress")


def test_resolve_records_how_and_tells_requester(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "workaround", "Use the web client", "Restart Outlook")
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert incident.resolution_code == "workaround"
    mail = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id.desc())).first()
    assert mail.recipient == requester.email
    assert b"Use the web client" in mail.raw


@pytest.mark.parametrize(
    ("code", "notes", "message"),
    [
        ("magic", "done", "resolution code"),
        ("self_service", "done", "resolution code"),  # only the requester's own action
        ("fixed", "  ", "Resolution notes cannot be empty"),
    ],
)
def test_resolve_validates(parties, code, notes, message):
    _, agent, incident = parties
    with pytest.raises(incidents.InvalidInput, match=message):
        incidents.resolve(incident, agent, code, notes)


def test_confirm_closes(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Replaced cable")
    incidents.confirm_resolution(incident, requester)
    assert incident.status == "closed" and incident.closed_at is not None
    assert actions(incident)[-1] == "confirmed"


def test_confirm_needs_a_resolved_incident(parties):
    requester, _, incident = parties
    with pytest.raises(incidents.InvalidInput, match="not waiting"):
        incidents.confirm_resolution(incident, requester)


def test_reject_reopens_with_explanation(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Replaced cable")
    message = incidents.reject_resolution(incident, requester, "Still no network")
    assert incident.status == "in_progress"
    assert message.is_public and message.body == "Still no network"
    assert "reopened" in actions(incident)


def test_reject_needs_an_explanation(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Done")
    with pytest.raises(incidents.InvalidInput, match="still wrong"):
        incidents.reject_resolution(incident, requester, "")


def test_strangers_cannot_confirm(parties):
    _, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Done")
    with pytest.raises(incidents.NotAllowed):
        incidents.confirm_resolution(incident, gen_user())


def test_rating(parties):
    requester, agent, incident = parties
    with pytest.raises(incidents.InvalidInput, match="once it is resolved"):
        incidents.rate(incident, requester, 5)
    incidents.resolve(incident, agent, "fixed", "Done")
    with pytest.raises(incidents.InvalidInput, match="1 to 5"):
        incidents.rate(incident, requester, 6)
    with pytest.raises(incidents.NotAllowed):
        incidents.rate(incident, agent, 5)
    incidents.rate(incident, requester, 4, "Quick, thanks")
    assert (incident.satisfaction_rating, incident.satisfaction_comment) == (4, "Quick, thanks")


def test_cancel_needs_reason_and_is_final(parties):
    _, agent, incident = parties
    with pytest.raises(incidents.InvalidInput, match="reason"):
        incidents.cancel(incident, agent, "")
    incidents.cancel(incident, agent, "Raised twice by mistake")
    assert incident.status == "cancelled"
    with pytest.raises(incidents.InvalidInput):
        incidents.change_status(incident, agent, "in_progress")


def test_reject_keeps_the_turned_down_resolution_in_the_trail(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "workaround", "Replaced cable", "Use Wi-Fi")
    incidents.reject_resolution(incident, requester, "Still no network")
    incidents.resolve(incident, agent, "fixed", "Replaced the switch port")

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == lifecycle.REJECTED_RESOLUTION)
    ).one()
    assert event.actor_id == requester.id
    assert event.details == {
        "code": "workaround",
        "notes": "Replaced cable",
        "workaround": "Use Wi-Fi",
    }
    assert incident.resolution_notes == "Replaced the switch port"


# --- Withdrawal by the requester --------------------------------------------------------


def cancel_reasons(incident):
    """The reasons recorded for cancelling the incident."""
    query = select(AuditEvent).where(
        AuditEvent.about(INCIDENT, incident.id), AuditEvent.action == "cancel_reason"
    )
    return [(event.actor_id, event.details["reason"]) for event in db.session.scalars(query)]


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        (
            "  It works again after a restart. ",
            "Withdrawn by the requester: It works again after a restart.",
        ),
        ("", "Withdrawn by the requester"),
        (None, "Withdrawn by the requester"),
    ],
)
def test_requester_withdraws_an_open_incident(parties, words, reason):
    requester, agent, incident = parties
    incidents.assign(incident, agent, None, agent.id)
    incidents.withdraw(incident, requester, words)
    assert incident.status == "cancelled"
    assert actions(incident)[-2:] == ["withdrawn", "cancel_reason"]
    assert cancel_reasons(incident) == [(requester.id, reason)]


def test_withdraw_goes_through_the_state_machine(parties):
    requester, _, incident = parties
    incidents.withdraw(incident, requester)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "withdrawn")).one()
    assert (event.actor_id, event.details) == (requester.id, {"from": "new", "to": "cancelled"})


def test_only_the_requester_can_withdraw(app):
    requester, participant, agent = gen_user(), gen_user(), gen_user("agent")
    incident = gen_incident(requester, participants=[participant])
    for someone in (participant, agent, gen_user()):
        with pytest.raises(incidents.NotAllowed, match="Only the person who reported"):
            incidents.withdraw(incident, someone)
    assert incident.status == "new"


def test_only_an_open_incident_can_be_withdrawn(parties):
    requester, agent, incident = parties
    incidents.resolve(incident, agent, "fixed", "Done")
    with pytest.raises(incidents.InvalidInput, match="no longer open"):
        incidents.withdraw(incident, requester)
    incidents.confirm_resolution(incident, requester)
    with pytest.raises(incidents.InvalidInput, match="no longer open"):
        incidents.withdraw(incident, requester)
    assert incident.status == "closed"


def test_withdraw_reason_has_a_limit(parties):
    requester, _, incident = parties
    with pytest.raises(incidents.InvalidInput, match="too long"):
        incidents.withdraw(incident, requester, "x" * 2001)
    assert incident.status == "new"
