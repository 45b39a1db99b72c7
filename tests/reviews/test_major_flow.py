"""A major incident handled through the major incident service: declared, children
attached, public updates posted, resolved with its children; its review is created once,
facilitated by the declarer, with a timeline that holds every step in order."""

from __future__ import annotations

from helpdesk import major_incidents
from helpdesk.reads.review_impact import impact
from helpdesk.reads.review_timeline import timeline
from helpdesk.reads.reviews import review_of
from tests.factories import gen_incident, gen_service, gen_user


def test_resolving_a_major_incident_creates_its_review(app, clock, agent):
    vpn = gen_service("VPN")
    incident = gen_incident(subject="VPN concentrator down", service_id=vpn.id)
    clock.advance(minutes=5)
    major = major_incidents.declare(incident, agent, "VPN outage", "No remote access.", [vpn.id])
    children = []
    for _ in range(3):
        clock.advance(minutes=1)
        child = gen_incident(subject="Cannot connect to the VPN")
        major_incidents.attach_child(major, child, agent)
        children.append(child)
    clock.advance(minutes=10)
    major_incidents.post_update(major, agent, "identified", "A certificate expired.")
    clock.advance(minutes=10)
    major_incidents.post_update(major, agent, "monitoring", "Renewed; watching.")
    clock.advance(minutes=30)
    resolver = gen_user("agent")
    major_incidents.resolve(major, resolver, "Renewed the certificate.", "Fixed.")

    review = review_of(incident.id)
    assert review is not None
    assert (review.facilitator, review.summary) == (agent, "No remote access.")
    assert all(review_of(child.id) is None for child in children)  # P3 children: none
    entries = timeline(incident)
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    texts = [entry.text for entry in entries]
    steps = [
        "Opened",
        "Major declared",
        "Child attached",
        "Public update (identified): A certificate expired.",
        "Public update (monitoring): Renewed; watching.",
        "Resolved",
        "Public update (resolved): Fixed.",
        "Major resolved",
    ]
    positions = [next(i for i, text in enumerate(texts) if text.startswith(step)) for step in steps]
    assert positions == sorted(positions)
    assert sum(text.endswith(": Resolved") for text in texts) == 3  # each child's resolution
    found = impact(incident)
    assert (found.people_affected, found.services) == (4, ["VPN"])
