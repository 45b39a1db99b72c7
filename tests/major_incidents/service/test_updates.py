"""Public updates: a row on the major incident, its phase moved, and one mail per subscriber
(never the author), queued in the outbox and written by the drain, saying only what the
status page says, with the reference in the subject so replies reach the incident."""

from __future__ import annotations

import pytest

from helpdesk import major_incidents
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.models import MajorIncident, PublicUpdate
from helpdesk.models.outbox import SENT
from helpdesk.reads import major_incidents as majors
from tests.factories import gen_incident, gen_user
from tests.major_incidents.conftest import Outage
from tests.major_incidents.mail import html, text, update_rows, written


@pytest.fixture
def subscribed(outage: Outage, declared: MajorIncident) -> list:
    """Rita (declared), Bob (attached child), Cleo ("I'm affected too") and the agent who
    posts the updates, subscribed too."""
    bob, cleo = gen_user(name="Bob"), gen_user(name="Cleo")
    major_incidents.attach_child(declared, gen_incident(bob), outage.agent)
    major_incidents.subscribe(declared, cleo, "portal")
    major_incidents.subscribe(declared, cleo, "portal")
    major_incidents.subscribe(declared, outage.agent, "agent")
    return [outage.requester, bob, cleo]


def test_an_update_is_mailed_once_to_each_subscriber_but_its_author(
    outage: Outage, declared: MajorIncident, subscribed: list, clock
):
    clock.advance(minutes=20)
    update = major_incidents.post_update(
        declared, outage.agent, "identified", "A failed certificate on the VPN gateway."
    )
    assert (declared.phase, update.phase, update.created_at) == (
        "identified",
        "identified",
        clock.now,
    )
    rows = update_rows()
    assert sorted(row.recipient for row in rows) == sorted(p.email for p in subscribed)
    for row in rows:
        assert row.state == SENT and row.incident_id is None and not row.automatic
        mail = written(row)
        assert mail["Subject"] == f"[{outage.incident.reference}] VPN outage: Identified"
        assert mail["Auto-Submitted"] == "auto-generated"
        for part in (text(mail), html(mail)):
            assert "A failed certificate on the VPN gateway." in part
            assert f"http://helpdesk.test/status/{outage.incident.reference}" in part
            assert "vpn-gw-02" not in part  # the internal subject
            if row.recipient != outage.requester.email:
                assert "Rita" not in part  # nor who reported it
    major_incidents.post_update(declared, outage.agent, "monitoring", "A new certificate is in.")
    assert len(update_rows()) == 2 * len(subscribed)


def test_the_internal_subject_is_in_no_header(
    outage: Outage, declared: MajorIncident, subscribed: list
):
    major_incidents.post_update(declared, outage.agent, "identified", "Found it.")
    for row in update_rows():
        assert b"vpn-gw-02" not in row.raw


def test_the_timeline_is_newest_first(outage: Outage, declared: MajorIncident, clock):
    major_incidents.post_update(declared, outage.agent, "identified", "One.")
    clock.advance(minutes=5)
    major_incidents.post_update(declared, outage.agent, "monitoring", "Two.")
    assert [u.body for u in majors.updates(declared)] == ["Two.", "One."]


@pytest.mark.parametrize(
    ("phase", "body", "message"),
    [
        ("resolved", "Done.", "Resolve the major incident"),
        ("fixed", "Done.", "Choose a phase"),
        ("monitoring", "  ", "update cannot be empty"),
    ],
)
def test_refused_updates(outage: Outage, declared: MajorIncident, phase, body, message):
    with pytest.raises(InvalidInput, match=message):
        major_incidents.post_update(declared, outage.agent, phase, body)
    assert db.session.query(PublicUpdate).count() == 0


def test_end_users_cannot_post(outage: Outage, declared: MajorIncident):
    with pytest.raises(NotAllowed):
        major_incidents.post_update(declared, outage.requester, "identified", "Me too.")
    assert update_rows() == []
