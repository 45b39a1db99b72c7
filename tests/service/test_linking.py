"""Related links and merging duplicates."""

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Message
from tests.factories import gen_incident, gen_user


def test_links_show_on_both_sides_and_unlink(app):
    agent, first, second = gen_user("agent"), gen_incident(), gen_incident()
    incidents.link(first, agent, second)
    incidents.link(second, agent, first)  # linking twice is harmless
    assert incidents.related(first) == [second]
    assert incidents.related(second) == [first]
    incidents.unlink(second, agent, first)
    assert incidents.related(first) == []


def test_cannot_link_to_itself(app):
    agent, incident = gen_user("agent"), gen_incident()
    with pytest.raises(incidents.InvalidInput, match="itself"):
        incidents.link(incident, agent, incident)


def test_merge_moves_messages_people_and_closes_duplicate(app):
    agent = gen_user("agent")
    alice, bob = gen_user(), gen_user()
    target = gen_incident(alice, subject="Wi-Fi down in building B")
    duplicate = gen_incident(bob, subject="No wifi")
    incidents.add_reply(duplicate, bob, "Since 9am")
    incidents.merge(duplicate, agent, target)
    bodies = db.session.scalars(select(Message.body).where(Message.incident_id == target.id)).all()
    assert "Since 9am" in bodies
    assert any("was merged into this incident" in body for body in bodies)
    assert bob in target.participants
    assert duplicate.status == "closed" and duplicate.merged_into == target
    with pytest.raises(incidents.InvalidInput, match=f"merged into {target.reference}"):
        incidents.add_reply(duplicate, bob, "hello?")


def test_cannot_merge_into_closed_or_itself(app):
    agent, requester = gen_user("agent"), gen_user()
    closed, other = gen_incident(requester), gen_incident()
    incidents.resolve(closed, agent, "fixed", "Done")
    incidents.confirm_resolution(closed, requester)
    with pytest.raises(incidents.InvalidInput, match="closed"):
        incidents.merge(other, agent, closed)
    with pytest.raises(incidents.InvalidInput, match="itself"):
        incidents.merge(other, agent, other)
