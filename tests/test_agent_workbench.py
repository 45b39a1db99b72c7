"""The incident workbench page: thread, facts, relations, audit trail, and which actions show."""

import re

import pytest

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.incidents import NewAttachment
from helpdesk.models import Message
from tests.factories import gen_category, gen_incident, gen_team, gen_user


@pytest.fixture
def agent(app, auth):
    """A signed-in service desk agent."""
    person = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [person], service_desk=True)
    auth.login(person.email)
    return person


def page(client, incident) -> str:
    """The workbench HTML of an incident."""
    response = client.get(f"/agent/incidents/{incident.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_thread_shows_replies_notes_and_events_distinctly(client, agent):
    requester = gen_user(name="Rita Requester", email="rita@example.org")
    incident = gen_incident(requester, subject="Cannot print")
    incidents.add_reply(incident, agent, "Have you tried turning it off?", channel="agent")
    incidents.add_note(
        incident,
        agent,
        "Probably the fuser.",
        attachments=[NewAttachment("photo.jpg", "image/jpeg", b"jpg")],
    )
    duplicate = gen_incident(subject="Printer again")
    incidents.merge(duplicate, agent, incident)
    html = page(client, incident)
    assert "Have you tried turning it off?" in html
    note = re.search(r'<li class="message note"[^>]*>(.*?)</li>', html, re.S).group(1)
    assert "Internal note" in note and "Probably the fuser." in note
    assert "photo.jpg" in note
    assert "/attachments/" in note
    assert f"{duplicate.reference} was merged into this incident." in html
    assert 'class="message event"' in html


def test_message_needing_review_is_flagged(client, agent):
    incident = gen_incident()
    db.session.add(
        Message(
            incident_id=incident.id,
            kind="note",
            channel="email",
            body="Reply from a stranger",
            needs_review=True,
        )
    )
    db.session.commit()
    html = page(client, incident)
    assert "Needs review" in html
    assert "Reply from a stranger" in html


def test_facts_are_all_there(client, agent):
    hardware = gen_category("Hardware")
    requester = gen_user(name="Rita Requester", email="rita@example.org")
    colleague = gen_user(name="Carl Colleague")
    incident = gen_incident(
        requester,
        subject="Cannot print",
        category_id=hardware.id,
        participants=[colleague],
    )
    incidents.assign(incident, agent, None, agent.id)
    incidents.take_ownership(incident, agent)
    incidents.classify(
        incident,
        agent,
        incidents.Classification("low", "low", hardware.id, None, 2, "CEO's printer"),
    )
    incidents.change_status(incident, agent, "on_hold", "awaiting_vendor")
    html = page(client, incident)
    for text in (
        "Rita Requester",
        "rita@example.org",
        "Carl Colleague",
        "Hardware",
        "P2 high",
        "Overridden: CEO&#39;s printer",
        "On hold",
        "Awaiting a vendor",
        "Service Desk / Sam Desk",
        "Response due",
        "Resolution due",
        "Not rated",
    ):
        assert text in html, text


def test_resolution_rating_and_audit_trail_show(client, agent):
    requester = gen_user()
    incident = gen_incident(requester)
    incidents.resolve(incident, agent, "workaround", "Use the other printer.", "Print to PDF")
    incidents.rate(incident, requester, 4, "Quick, thanks")
    html = page(client, incident)
    assert "Workaround provided" in html
    assert "Print to PDF" in html
    assert "4 / 5" in html and "Quick, thanks" in html
    trail = html.split('id="audit-title"')[1]
    assert "reported it" in trail and "Sam Desk resolved it" in trail
    assert "rated it 4 out of 5" in trail


def test_related_incidents_and_merge_pointer(client, agent):
    incident, other, target = gen_incident(), gen_incident(subject="Related one"), gen_incident()
    incidents.link(incident, agent, other)
    assert "Related one" in page(client, incident)
    incidents.merge(incident, agent, target)
    html = page(client, incident)
    assert "This incident was merged into" in html
    assert f'href="/agent/incidents/{target.reference}"' in html


def test_open_incident_offers_every_action(client, agent):
    html = page(client, gen_incident())
    for button in (
        "Send reply",
        "Add note",
        "Take ownership",
        "Assign",
        "Save classification",
        "Change status",
        "Resolve",
        "Merge",
        "Cancel incident",
        "Link as related",
    ):
        assert button in html, button
    assert '<option value="closed">' not in html  # closing is the requester's confirmation


def test_closed_incident_offers_only_notes_and_links(client, agent):
    incident = gen_incident()
    incidents.cancel(incident, agent, "Spam")
    html = page(client, incident)
    for button in (
        "Send reply",
        "Save classification",
        "Change status",
        "Cancel incident",
        "Merge",
    ):
        assert button not in html, button
    assert "Add note" in html and "Link as related" in html
    assert "only notes and links can be added" in html


def test_resolved_incident_can_be_reopened_but_not_resolved_again(client, agent):
    incident = gen_incident()
    incidents.resolve(incident, agent, "fixed", "Done.")
    html = page(client, incident)
    assert '<option value="in_progress">In progress</option>' in html
    assert f'action="/agent/incidents/{incident.reference}/resolve"' not in html
    assert "Cancel incident" not in html


def test_reference_in_lower_case_opens_the_incident(client, agent):
    incident = gen_incident(subject="Case test")
    response = client.get(f"/agent/incidents/{incident.reference.lower()}")
    assert response.status_code == 200
    assert "Case test" in response.get_data(as_text=True)


def test_unknown_incident_is_404(client, agent):
    assert client.get("/agent/incidents/INC-999999").status_code == 404
    assert client.get("/agent/incidents/nonsense").status_code == 404
