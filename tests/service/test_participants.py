"""Participants and requester: agents copy people on an incident, stop copying them and
change the requester, each audited with who did it and who was concerned."""

import pytest
from sqlalchemy import select

from helpdesk import accounts, incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, OutboundEmail
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_incident, gen_user


def last_event(incident):
    """The newest audit event of an incident."""
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, incident.id)).order_by(AuditEvent.id)
    ).all()[-1]


@pytest.fixture
def desk(app):
    """An agent and an incident reported by Ann."""
    agent = gen_user("agent", name="Dana Desk")
    ann = gen_user(name="Ann Lee", email="ann@example.org")
    return agent, gen_incident(ann)


def test_agent_copies_someone_and_it_is_audited(desk):
    agent, incident = desk
    bob = gen_user(name="Bob Ray", email="bob@example.org")
    incidents.add_participant(incident, agent, bob)
    db.session.expire_all()
    assert [p.email for p in incident.participants] == ["bob@example.org"]
    event = last_event(incident)
    assert (event.action, event.actor_id) == ("participant_added", agent.id)
    assert event.details == {"person": "Bob Ray <bob@example.org>"}


def test_agent_stops_copying_someone_and_it_is_audited(desk):
    agent, incident = desk
    bob = gen_user(name="Bob Ray")
    incidents.add_participant(incident, agent, bob)
    incidents.remove_participant(incident, agent, bob)
    db.session.expire_all()
    assert incident.participants == []
    event = last_event(incident)
    assert (event.action, event.actor_id) == ("participant_removed", agent.id)
    assert event.details["person"].startswith("Bob Ray <")


def test_a_person_found_or_created_by_address_can_be_copied(desk):
    agent, incident = desk
    newcomer = accounts.ensure_user_for_email("carol@example.org", "Carol")
    incidents.add_participant(incident, agent, newcomer)
    assert incident.involves(newcomer)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("requester", "is the requester of this incident"),
        ("copied", "is already copied"),
        ("inactive", "is deactivated"),
    ],
)
def test_adding_is_refused_for_the_requester_twice_or_inactive(desk, who, message):
    agent, incident = desk
    copied = gen_user()
    incidents.add_participant(incident, agent, copied)
    inactive = gen_user()
    accounts.update_user(inactive.id, inactive.name, "user", False, gen_user("admin"))
    person = {"requester": incident.requester, "copied": copied, "inactive": inactive}[who]
    with pytest.raises(incidents.InvalidInput, match=message):
        incidents.add_participant(incident, agent, person)
    db.session.expire_all()
    assert [p.id for p in incident.participants] == [copied.id]


def test_removing_someone_not_copied_is_refused(desk):
    agent, incident = desk
    with pytest.raises(incidents.InvalidInput, match="is not copied"):
        incidents.remove_participant(incident, agent, gen_user())


@pytest.mark.parametrize("change", ["add", "remove", "requester"])
def test_only_agents_change_the_people(desk, change):
    agent, incident = desk
    bob = gen_user()
    incidents.add_participant(incident, agent, bob)
    requester = incident.requester
    calls = {
        "add": lambda: incidents.add_participant(incident, requester, gen_user()),
        "remove": lambda: incidents.remove_participant(incident, requester, bob),
        "requester": lambda: incidents.change_requester(incident, requester, bob),
    }
    with pytest.raises(incidents.NotAllowed):
        calls[change]()
    db.session.expire_all()
    assert (incident.requester_id, [p.id for p in incident.participants]) == (
        requester.id,
        [bob.id],
    )


def test_changing_the_requester_keeps_the_old_one_copied(desk):
    agent, incident = desk
    ann = incident.requester
    bob = gen_user(name="Bob Ray", email="bob@example.org")
    incidents.change_requester(incident, agent, bob)
    db.session.expire_all()
    assert incident.requester_id == bob.id
    assert [p.id for p in incident.participants] == [ann.id]
    event = last_event(incident)
    assert (event.action, event.actor_id) == ("requester_changed", agent.id)
    assert event.details == {
        "changes": {"requester": ["Ann Lee <ann@example.org>", "Bob Ray <bob@example.org>"]},
        "participant_added": "Ann Lee <ann@example.org>",
    }


def test_a_participant_who_becomes_requester_is_no_longer_a_participant(desk):
    agent, incident = desk
    bob, carol = gen_user(), gen_user()
    incidents.add_participant(incident, agent, bob)
    incidents.add_participant(incident, agent, carol)
    ann = incident.requester
    incidents.change_requester(incident, agent, bob)
    db.session.expire_all()
    assert incident.requester_id == bob.id
    assert sorted(p.id for p in incident.participants) == sorted([ann.id, carol.id])


def test_the_requester_cannot_be_made_requester_again(desk):
    agent, incident = desk
    with pytest.raises(incidents.InvalidInput, match="already the requester"):
        incidents.change_requester(incident, agent, incident.requester)


def test_a_merged_incident_sends_the_agent_to_the_target(desk):
    agent, duplicate = desk
    target = gen_incident()
    incidents.merge(duplicate, agent, target)
    with pytest.raises(incidents.InvalidInput, match=f"merged into {target.reference}"):
        incidents.add_participant(duplicate, agent, gen_user())
    with pytest.raises(incidents.InvalidInput, match="merged into"):
        incidents.change_requester(duplicate, agent, gen_user())


def test_the_new_requester_gets_the_public_replies(desk):
    agent, incident = desk
    bob = gen_user(email="bob.reply@example.org")
    incidents.change_requester(incident, agent, bob)
    incidents.add_reply(incident, agent, "Replaced the toner.", channel="agent")
    replies = select(OutboundEmail).where(OutboundEmail.message_row_id.is_not(None))
    recipients = {mail.recipient for mail in db.session.scalars(replies)}
    assert recipients == {"bob.reply@example.org", "ann@example.org"}
