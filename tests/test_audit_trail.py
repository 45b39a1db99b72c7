"""The audit trail in words: one sentence per event, linked, escaped, in the order things
happened (merges included)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from helpdesk import incidents, lifecycle
from helpdesk.channels import INCIDENT_CHANNELS, in_words
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Message
from helpdesk.models.audit import INCIDENT
from helpdesk.web.agent.audit_trail import PHRASES, Links, sentence
from tests.factories import gen_incident, gen_team, gen_user

LINKS = Links(
    message=lambda message_id: f"/agent/incidents/INC-000002#message-{message_id}",
    incident=lambda reference: f"/agent/incidents/{reference}",
)
SERVICES = Path(__file__).parent.parent / "helpdesk" / "incidents"


def say(action: str, actor: str | None = "Alice", **details: object) -> str:
    """The sentence for an event, as HTML."""
    return str(sentence(action, actor, details, LINKS))


@pytest.mark.parametrize(
    ("action", "details", "expected"),
    [
        (
            "opened",
            {"channel": "email", "priority": 3},
            "Alice reported it by email, at P3 moderate",
        ),
        (
            "opened",
            {"channel": "phone", "priority": 4, "logged_for": "Ann Lee <ann@example.org>"},
            "Alice logged it by phone for Ann Lee &lt;ann@example.org&gt;, at P4 low",
        ),
        (
            "opened",
            {"channel": "walk-in", "priority": 4, "logged_for": "Ann Lee"},
            "Alice logged it at the desk for Ann Lee, at P4 low",
        ),
        (
            "replied",
            {"message_id": 148},
            'Alice <a href="/agent/incidents/INC-000002#message-148">replied publicly</a>',
        ),
        (
            "noted",
            {"message_id": 9},
            'Alice added <a href="/agent/incidents/INC-000002#message-9">an internal note</a>',
        ),
        (
            "merged_in",
            {"reference": "INC-000007"},
            'Alice merged <a class="ref" href="/agent/incidents/INC-000007">INC-000007</a>'
            " into this incident",
        ),
        (
            "merged_into",
            {"reference": "INC-000002"},
            'Alice merged this incident into <a class="ref" href="/agent/incidents/INC-000002">'
            "INC-000002</a>",
        ),
        (
            "status_changed",
            {"from": "in_progress", "to": "on_hold", "reason": "awaiting_user"},
            "Alice moved it from In progress to On hold: ",
        ),
        ("resolved", {"from": "in_progress", "to": "resolved"}, "Alice resolved it"),
        ("assigned", {"team": "Network", "agent": "Priya"}, "Alice assigned it to Network / Priya"),
        ("assigned", {"team": None, "agent": None}, "Alice unassigned it"),
        (
            "classified",
            {"changes": {"impact": ["low", "high"], "priority": [4, 2]}, "reason": "VIP"},
            "Alice changed the impact from low to high, priority from P4 low to P2 high (VIP)",
        ),
        ("rated", {"rating": 4}, "Alice rated it 4 out of 5"),
        ("participant_added", {"person": "Bo <bo@x.test>"}, "Alice added Bo &lt;bo@x.test&gt;"),
        ("sla_breached", {"target": "resolution"}, "The resolution target was breached"),
        ("sla_warned", {"target": "response"}, "The response target reached its warning share"),
        (
            "sla_policy",
            {"policy": 3, "name": "Network", "previous": 1},
            "The SLA policy Network applies from here on; the time already counted carries over",
        ),
    ],
)
def test_each_event_reads_as_a_sentence(action, details, expected):
    assert say(action, **details).startswith(expected)


def test_the_system_acts_when_nobody_did():
    html = say("mail_bounced", None, addresses=["a@example.org"], reason="mailbox full")
    assert html == "Mail to a@example.org bounced: mailbox full"
    assert say("status_changed", None, **{"from": "new", "to": "assigned"}).startswith(
        "The system moved it"
    )


def test_no_ids_are_shown():
    for action in ("replied", "noted", "mail_noted", "mail_reviewed", "mail_flagged"):
        text = re.sub(r"<[^>]+>", "", say(action, message_id=148, sender="x@y", reason="why"))
        assert "148" not in text and "message id" not in text.lower(), action


def test_a_message_that_is_gone_is_named_without_a_link():
    links = Links(message=lambda message_id: None, incident=LINKS.incident)
    assert str(sentence("replied", "Alice", {"message_id": 3}, links)) == "Alice replied publicly"


def test_values_from_the_details_are_escaped():
    html = say("assigned", "<b>Eve</b>", team='"><script>x()</script>', agent=None)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    html = say("merged_in", reference='"><img src=x onerror=alert(1)>')
    assert "<img" not in html


def test_an_action_without_a_sentence_still_reads():
    assert say("ticket_exported", target="crm", late=None) == (
        "Alice: ticket exported (target: crm)"
    )


def test_every_channel_an_incident_can_come_by_is_said_in_words():
    assert all(not in_words(channel).startswith("via") for channel in INCIDENT_CHANNELS)


def test_every_action_the_service_layer_records_has_a_sentence():
    source = "\n".join(path.read_text() for path in SERVICES.glob("*.py"))
    recorded = set(re.findall(r'record\(\s*\w+,\s*\w+,\s*"(\w+)"', source))
    recorded |= set(re.findall(r'action="(\w+)"', source))
    assert recorded, "the pattern no longer finds the service layer's record() calls"
    assert recorded <= set(PHRASES), recorded - set(PHRASES)


@pytest.fixture
def agent(app, auth):
    """A signed-in service desk agent."""
    person = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [person], service_desk=True)
    auth.login(person.email)
    return person


def trail_of(client, incident) -> str:
    """The audit trail section of an incident's workbench."""
    html = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    return html.split('id="audit-title"')[1]


def test_the_workbench_shows_sentences_with_links_to_messages(client, agent):
    requester = gen_user(name="Rita Requester")
    incident = gen_incident(requester, subject="Cannot print")
    reply = incidents.add_reply(incident, agent, "Try the other tray.", channel="agent")
    incidents.resolve(incident, agent, "workaround", "Use the other printer.")
    trail = trail_of(client, incident)
    assert "Rita Requester reported it on the portal" in trail
    link = f'href="/agent/incidents/{incident.reference}#message-{reply.id}"'
    assert f"Sam Desk <a {link}>replied publicly</a>" in trail
    assert "Sam Desk resolved it" in trail
    assert "message id" not in trail


def test_merges_read_in_the_order_they_happened(client, agent):
    """The demo re-times history after playing it, as here: a duplicate merged in during
    the survivor's story gets a later id than events that followed it. Messages moved by
    the merge are linked where they are now."""
    survivor = gen_incident(gen_user(), subject="VPN down")
    duplicate = gen_incident(gen_user(name="Bob Duplicate"), subject="VPN down for me too")
    reply = incidents.add_reply(duplicate, agent, "We are on it.", channel="agent")
    incidents.change_status(survivor, agent, lifecycle.IN_PROGRESS)
    incidents.merge(duplicate, agent, survivor)
    in_progress = db.session.scalars(
        select(AuditEvent.created_at).where(
            AuditEvent.about(INCIDENT, survivor.id), AuditEvent.action == "status_changed"
        )
    ).one()
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.about(INCIDENT, survivor.id), AuditEvent.action == "merged_in")
        .values(created_at=in_progress - timedelta(minutes=5))
    )
    db.session.commit()
    trail = trail_of(client, survivor)
    assert trail.index(f"{duplicate.reference}</a> into this incident") < trail.index(
        "to In progress"
    )
    moved = db.session.get(Message, reply.id)
    assert moved.incident_id == survivor.id
    old_trail = trail_of(client, duplicate)
    assert f'href="/agent/incidents/{survivor.reference}#message-{reply.id}"' in old_trail
