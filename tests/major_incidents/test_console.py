"""The console: declare from the incident page, the panel of a major incident (children,
subscribers, updates, resolve), the notice on a child, the list page; refusals shown on the
page with what the agent typed."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from helpdesk import lifecycle, major_incidents
from helpdesk.models import MajorIncident
from helpdesk.reads import major_incidents as majors
from tests.conftest import AuthActions
from tests.factories import gen_incident, gen_user
from tests.major_incidents.conftest import Outage


@pytest.fixture
def console(client: FlaskClient, auth: AuthActions, outage: Outage) -> FlaskClient:
    """The client signed in as the outage's agent."""
    auth.login(outage.agent.email)
    return client


def workbench(client: FlaskClient, reference: str | None) -> str:
    """The incident page's HTML."""
    answer = client.get(f"/agent/incidents/{reference}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_declaring_from_the_incident_page(console: FlaskClient, outage: Outage):
    reference = outage.incident.reference
    assert "Declare major incident" in workbench(console, reference)
    answer = console.post(
        f"/agent/incidents/{reference}/major",
        data={
            "declare-public_title": "VPN outage",
            "declare-public_summary": "Remote staff cannot connect.",
            "declare-services": [str(outage.vpn.id)],
        },
    )
    assert answer.status_code == 302
    major = majors.major_of(outage.incident)
    assert major is not None and outage.incident.priority == 1
    html = workbench(console, reference)
    assert "Remote staff cannot connect." in html and "Subscribers (1)" in html
    assert "Declare major incident" not in html
    assert "Ann Agent declared it a major incident: VPN outage" in html  # the audit trail


def test_a_refused_declaration_keeps_what_was_typed(console: FlaskClient, outage: Outage):
    answer = console.post(
        f"/agent/incidents/{outage.incident.reference}/major",
        data={"declare-public_title": "VPN outage", "declare-public_summary": "Down."},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Choose at least one affected service." in html
    assert 'value="VPN outage"' in html
    assert majors.major_of(outage.incident) is None


def test_the_panel_attaches_posts_and_resolves(
    console: FlaskClient, outage: Outage, declared: MajorIncident
):
    reference = outage.incident.reference
    bob = gen_user(name="Bob Affected")
    child = gen_incident(bob, subject="No VPN from home")
    console.post(
        f"/agent/incidents/{reference}/major/children", data={"attach-reference": child.reference}
    )
    assert child.parent_id == outage.incident.id
    html = workbench(console, reference)
    assert child.reference in html and "Bob Affected" in html and "Subscribers (2)" in html
    child_page = workbench(console, child.reference)
    assert f'Child of\n  <a class="ref" href="/agent/incidents/{reference}">' in child_page
    console.post(
        f"/agent/incidents/{reference}/major/updates",
        data={"update-phase": "identified", "update-body": "An expired certificate."},
    )
    assert declared.phase == "identified"
    assert "An expired certificate." in workbench(console, reference)
    console.post(
        f"/agent/incidents/{reference}/major/resolve",
        data={"major-resolve-notes": "Renewed it.", "major-resolve-public_message": "Back."},
    )
    assert not declared.is_current and child.status == lifecycle.RESOLVED
    trail = workbench(console, reference)
    assert "Ann Agent posted a public update (identified)" in trail
    assert "Ann Agent resolved the major incident, and with it" in trail
    assert "Ann Agent attached it to the major incident" in workbench(console, child.reference)


def test_detaching_from_the_panel(console: FlaskClient, outage: Outage, declared: MajorIncident):
    child = gen_incident(gen_user())
    major_incidents.attach_child(declared, child, outage.agent)
    reference = outage.incident.reference
    answer = console.post(f"/agent/incidents/{reference}/major/children/{child.reference}/delete")
    assert answer.status_code == 302 and child.parent_id is None


def test_actions_on_an_incident_that_is_not_major_are_404(console: FlaskClient, outage: Outage):
    answer = console.post(
        f"/agent/incidents/{outage.incident.reference}/major/updates",
        data={"update-phase": "identified", "update-body": "x"},
    )
    assert answer.status_code == 404


def test_the_list_page(console: FlaskClient, outage: Outage, declared: MajorIncident):
    html = console.get("/agent/major-incidents").get_data(as_text=True)
    assert "VPN outage" in html and outage.incident.reference in html
    assert 'href="/agent/major-incidents"' in html  # the navigation's link


def test_end_users_cannot_use_the_panel(
    client: FlaskClient, auth: AuthActions, outage: Outage, declared: MajorIncident
):
    auth.login(outage.requester.email)
    reference = outage.incident.reference
    for url in ("/major/updates", "/major/resolve", "/major/children"):
        assert client.post(f"/agent/incidents/{reference}{url}").status_code == 403
    assert client.get("/agent/major-incidents").status_code == 403
    assert "/agent/major-incidents" not in client.get("/status").get_data(as_text=True)
