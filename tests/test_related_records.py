"""The ongoing major incidents and known errors offered for an incident or a report being
typed: found by shared words or service, never when resolved, a child already, or linked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import major_incidents, notify
from helpdesk.extensions import db
from helpdesk.models import (
    KNOWN_ERROR,
    Incident,
    MajorIncident,
    MajorIncidentSubscription,
    Problem,
    utcnow,
)
from helpdesk.reads.related_records import (
    SAME_SERVICE,
    Report,
    for_incident,
    known_errors_like,
    ongoing_major_incidents_like,
    resemblance,
)
from tests.factories import gen_incident, gen_service, gen_team, gen_user


def test_resemblance_counts_words_beginning_the_records_words_and_the_service():
    text = "VPN gateway: users cannot connect from home"
    assert resemblance(["vpn", "connect", "printer"], text, same_service=False) == 2
    assert resemblance(["conn"], text, same_service=True) == 1 + SAME_SERVICE
    assert resemblance(["nect"], text, same_service=False) == 0


@pytest.fixture
def outage(db_app):
    """A current VPN major incident, a resolved one about printing, and two known errors
    (one only under investigation)."""
    vpn, printing = gen_service("VPN"), gen_service("Printing")
    with notify.suppressed():
        own = gen_incident(subject="vpn-gw-01 down", description="Concentrator crashed.")
        old = gen_incident(subject="Print server", description="Spooler hung.")
    current = MajorIncident(
        incident=own,
        public_title="VPN outage",
        public_summary="Remote access is unavailable.",
        services=[vpn],
    )
    resolved = MajorIncident(
        incident=old,
        public_title="Printing outage",
        public_summary="Nobody can print.",
        services=[printing],
        resolved_at=utcnow(),
    )
    known = Problem(
        reference="PRB-000001",
        title="Outlook freezes on shared calendars",
        workaround="Open the calendar in the web client.",
        status=KNOWN_ERROR,
        services=[printing],
    )
    unknown = Problem(reference="PRB-000002", title="Outlook crashes", status="investigating")
    db.session.add_all([current, resolved, known, unknown])
    db.session.commit()
    return {"vpn": vpn, "printing": printing, "current": current, "known": known}


def test_an_ongoing_outage_is_offered_by_a_shared_word_or_its_service(outage):
    assert ongoing_major_incidents_like(Report("VPN keeps dropping", "")) == [outage["current"]]
    by_service = Report("Cannot work from home", "", outage["vpn"].id)
    assert ongoing_major_incidents_like(by_service) == [outage["current"]]
    assert ongoing_major_incidents_like(Report("Cannot print", "Spooler hung.")) == []


def test_a_known_error_needs_a_shared_word_and_only_known_errors_are_offered(outage):
    assert known_errors_like(Report("Outlook calendar frozen", "")) == [outage["known"]]
    assert known_errors_like(Report("Paper jam", "", outage["printing"].id)) == []
    # PRB-2 matches better but is no known error yet.
    assert known_errors_like(Report("Outlook crashes", "")) == [outage["known"]]


def test_the_incident_page_offers_nothing_a_child_or_linked_incident_already_has(outage):
    with notify.suppressed():
        report = gen_incident(subject="VPN and Outlook calendar broken", description="Both.")
    assert for_incident(report) == {
        "possible_majors": [outage["current"]],
        "possible_known_errors": [outage["known"]],
    }
    report.parent_id = outage["current"].incident_id
    report.problem_id = outage["known"].id
    db.session.commit()
    assert for_incident(report) == {"possible_majors": [], "possible_known_errors": []}
    assert for_incident(outage["current"].incident)["possible_majors"] == []


def test_the_incident_page_attaches_and_links_in_one_click(app, client, auth):
    """A new VPN report's page offers the ongoing VPN outage and the matching known error;
    one click attaches it as a child, one more links it to the known error."""
    agent = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [agent], service_desk=True)
    vpn = gen_service("VPN")
    with notify.suppressed():
        outage = gen_incident(subject="VPN concentrator down", description="All remote users.")
        major_incidents.declare(
            outage, agent, "VPN outage", "Remote access is unavailable.", [vpn.id]
        )
        report = gen_incident(subject="VPN will not connect", description="Error 809.")
    known = Problem(
        reference="PRB-000007",
        title="VPN error 809 behind hotel firewalls",
        workaround="Switch the client to SSL mode.",
        status=KNOWN_ERROR,
    )
    db.session.add(known)
    db.session.commit()
    auth.login(agent.email)
    page = client.get(f"/agent/incidents/{report.reference}").get_data(as_text=True)
    assert "Ongoing major incidents like this" in page and "VPN outage" in page
    assert "Known errors like this" in page and "PRB-000007" in page

    attached = client.post(
        f"/agent/incidents/{outage.reference}/major/children",
        data={"attach-reference": report.reference},
    )
    linked = client.post(
        f"/agent/incidents/{report.reference}/problem",
        data={"problem-link-reference": known.reference},
    )
    assert (attached.status_code, linked.status_code) == (302, 302)
    db.session.refresh(report)
    assert (report.parent_id, report.problem_id) == (outage.id, known.id)
    page = client.get(f"/agent/incidents/{report.reference}").get_data(as_text=True)
    assert "like this" not in page


def test_the_report_form_asks_about_the_ongoing_outage_and_subscribes(app, client, auth):
    """The portal's report form asks "Is it one of these ongoing outages?" (the blank form:
    every current one; a refused report: those like it), and "I'm affected too" makes the
    user a subscriber instead of filing a duplicate."""
    agent = gen_user("agent")
    user = gen_user(email="ana@example.org")
    vpn = gen_service("VPN")
    with notify.suppressed():
        outage = gen_incident(subject="vpn-gw-01 down", description="Concentrator crashed.")
        major = major_incidents.declare(
            outage, agent, "VPN outage", "Remote access is unavailable.", [vpn.id]
        )
    auth.login(user.email)
    blank = client.get("/my/incidents/new").get_data(as_text=True)
    assert "Is it one of these ongoing outages?" in blank and "VPN outage" in blank
    assert "vpn-gw-01" not in blank  # the public title only, never the internal subject
    unrelated = client.post(
        "/my/incidents/new", data={"subject": "Printer jammed", "description": ""}
    ).get_data(as_text=True)
    assert "ongoing outages?" not in unrelated  # the banner still names it

    response = client.post(f"/status/{outage.reference}/subscribe")
    assert response.status_code == 302
    subscribers = {s.user_id for s in major_subscriptions(major)}
    assert user.id in subscribers
    assert db.session.query(Incident).count() == 1  # no duplicate filed


def major_subscriptions(major: MajorIncident) -> list[MajorIncidentSubscription]:
    """The major incident's subscriptions, as stored."""
    return list(
        db.session.scalars(
            select(MajorIncidentSubscription).where(
                MajorIncidentSubscription.major_incident_id == major.id
            )
        )
    )
