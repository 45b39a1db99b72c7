"""The public side: the banner on every page for everyone, the status page without a
sign-in showing public text only, and "I'm affected too" / "Stop updates"."""

from __future__ import annotations

from flask.testing import FlaskClient

from helpdesk import major_incidents
from helpdesk.models import MajorIncident
from helpdesk.reads import major_incidents as majors
from tests.conftest import AuthActions
from tests.factories import gen_incident, gen_user
from tests.major_incidents.conftest import Outage


def page(client: FlaskClient, url: str) -> str:
    """The page's HTML, which must be there."""
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def test_the_status_page_needs_no_sign_in_and_shows_public_text_only(
    client: FlaskClient, outage: Outage, declared: MajorIncident
):
    major_incidents.post_update(declared, outage.agent, "identified", "A certificate expired.")
    gen_incident(outage.requester, subject="My own printer")
    reference = outage.incident.reference
    for url in ("/status", f"/status/{reference}", f"/status/{reference.lower()}"):
        html = page(client, url)
        assert "VPN outage" in html and "Remote staff cannot connect" in html
        assert "A certificate expired." in html and "Identified" in html
        assert "vpn-gw-02" not in html and "Rita" not in html and "Ann Agent" not in html


def test_an_incident_that_is_not_major_is_not_public(client: FlaskClient, outage: Outage):
    assert client.get(f"/status/{outage.incident.reference}").status_code == 404
    assert client.get("/status/INC-999999").status_code == 404


def test_resolved_ones_stay_listed_for_seven_days(
    client: FlaskClient, outage: Outage, declared: MajorIncident, clock
):
    major_incidents.resolve(declared, outage.agent, "Fixed.", "The VPN works again.")
    clock.advance(days=6)
    html = page(client, "/status")
    assert "VPN outage" in html and "The VPN works again." in html
    assert "No major incident is going on" in html
    clock.advance(days=2)
    assert "VPN outage" not in page(client, "/status")


def test_the_banner_is_on_every_page_while_it_is_current(
    client: FlaskClient, auth: AuthActions, outage: Outage
):
    assert "major-banner" not in page(client, "/login")
    major = major_incidents.declare(
        outage.incident, outage.agent, "VPN outage", "Cannot connect.", [outage.vpn.id]
    )
    for url in ("/login", "/kb/", "/status"):
        html = page(client, url)
        assert "major-banner" in html and "VPN outage" in html
    auth.login(outage.requester.email)
    assert "VPN outage" in page(client, "/my/incidents")
    major_incidents.resolve(major, outage.agent, "Fixed.", "Back.")
    assert "major-banner" not in page(client, "/my/incidents")
    assert majors.banner() == []


def test_im_affected_too_subscribes_the_signed_in_user(
    client: FlaskClient, auth: AuthActions, declared: MajorIncident, outage: Outage
):
    dora = gen_user(name="Dora")
    url = f"/status/{outage.incident.reference}"
    answer = client.post(f"{url}/subscribe")
    assert answer.status_code == 302 and "/login?next=" in answer.location
    assert majors.subscription(declared, dora) is None
    auth.login(dora.email)
    assert "I'm affected too" in page(client, url)
    assert client.post(f"{url}/subscribe").location == url
    assert majors.subscription(declared, dora).via == "portal"
    html = page(client, url)
    assert "You will get the updates by email." in html and "Stop updates" in html
    client.post(f"{url}/unsubscribe")
    assert majors.subscription(declared, dora) is None


def test_signing_in_comes_back_to_the_status_page(
    client: FlaskClient, declared: MajorIncident, outage: Outage
):
    dora = gen_user(name="Dora")
    url = f"/status/{outage.incident.reference}"
    answer = client.post(f"{url}/subscribe")
    back = client.post(
        answer.location, data={"email": dora.email, "password": "correct horse battery"}
    )
    assert back.location == url
