"""The console's change pages and the incident page's change panel, as an agent uses them;
end users are kept out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from helpdesk import changes
from helpdesk.extensions import db
from helpdesk.models import Change
from tests.changes.helpers import gen_change
from tests.factories import gen_incident, gen_service, gen_user
from tests.sql_statements import counted_statements

OPENED = datetime(2026, 11, 30, 9, 0)  # the clock fixture's now


@pytest.fixture
def agent(app, auth, clock):
    """A signed-in agent who reads times in Paris (UTC+1 in winter)."""
    person = gen_user("agent", name="Sam Desk")
    person.timezone = "Europe/Paris"
    db.session.commit()
    auth.login(person.email)
    return person


def html(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def test_an_agent_records_a_change_on_their_own_clock(client, agent):
    vpn, mail = gen_service("VPN"), gen_service("Mail")
    ivan = gen_user("agent", name="Ivan Implementer")
    form = {
        "title": "Upgrade the VPN concentrator",
        "description": "Firmware 9.2",
        "services": [str(vpn.id), str(mail.id)],
        "planned_start": "2026-12-01T22:00",
        "planned_end": "2026-12-01T23:30",
        "implementer": str(ivan.id),
        "external_id": "JIRA-42",
    }
    response = client.post("/agent/changes/new", data=form)
    change = db.session.query(Change).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agent/changes/{change.reference}")
    assert change.planned_start == datetime(2026, 12, 1, 21, 0)  # 22:00 in Paris is 21:00 UTC
    page = html(client, f"/agent/changes/{change.reference}")
    assert "Upgrade the VPN concentrator" in page and "Ivan Implementer" in page
    assert "2026-12-01 22:00 CET" in page and "JIRA-42" in page and "Mail, VPN" in page
    assert "Sam Desk recorded the change (external id JIRA-42)" in page
    edit = html(client, f"/agent/changes/{change.reference}/edit")
    assert 'value="2026-12-01T22:00"' in edit


def test_a_refused_form_keeps_the_typing_and_says_why(client, agent):
    vpn = gen_service("VPN")
    form = {
        "title": "Swap the core switch",
        "services": [str(vpn.id)],
        "planned_start": "2026-12-01T22:00",
        "planned_end": "2026-12-01T21:00",
    }
    response = client.post("/agent/changes/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The planned end must be after the planned start." in page
    assert 'value="Swap the core switch"' in page
    assert db.session.query(Change).count() == 0


def test_editing_and_moving_a_change(client, agent):
    vpn = gen_service("VPN")
    change = gen_change(agent, vpn, start=OPENED + timedelta(hours=1))
    reference = change.reference
    form = {
        "title": "Upgrade the VPN",
        "services": [str(vpn.id)],
        "planned_start": "2026-11-30T11:00",
        "planned_end": "2026-11-30T14:00",
    }
    assert client.post(f"/agent/changes/{reference}/edit", data=form).status_code == 302
    assert change.title == "Upgrade the VPN" and change.planned_end == datetime(2026, 11, 30, 13)
    started = {"in_progress-at": "2026-11-30T09:30"}  # 08:30 UTC
    client.post(f"/agent/changes/{reference}/status/in_progress", data=started)
    assert change.status == "in_progress" and change.actual_start == datetime(2026, 11, 30, 8, 30)
    client.post(f"/agent/changes/{reference}/status/completed", data={})
    assert change.status == "completed" and change.actual_end == OPENED
    page = html(client, f"/agent/changes/{reference}")
    assert "Sam Desk moved it from In progress to Completed" in page
    assert "Sam Desk changed the title from Upgrade the VPN concentrator to Upgrade the VPN" in page
    response = client.post(f"/agent/changes/{reference}/status/in_progress", data={})
    assert response.status_code == 302 and change.status == "completed"
    assert "its status no longer moves" in html(client, f"/agent/changes/{reference}")


def test_the_list_filters_and_searches(client, agent):
    vpn = gen_service("VPN")
    upgrade = gen_change(agent, vpn, title="Upgrade the VPN", external_id="SN-77")
    swap = gen_change(agent, vpn, title="Swap the core switch")
    changes.move(swap, agent, "cancelled")
    every = html(client, "/agent/changes")
    assert every.index(swap.reference) < every.index(upgrade.reference)  # newest first
    assert swap.reference not in html(client, "/agent/changes?status=planned")
    assert upgrade.reference not in html(client, "/agent/changes?q=core+switch")
    assert swap.reference not in html(client, "/agent/changes?q=sn-77")
    assert upgrade.reference in html(client, f"/agent/changes?q={upgrade.reference.lower()}")
    assert "No changes match these filters" in html(client, "/agent/changes?q=nothing+like+it")


def test_the_incident_panel_marks_a_recent_change_as_the_cause(client, agent):
    vpn = gen_service("VPN")
    change = gen_change(agent, vpn, start=OPENED - timedelta(hours=6))
    gen_change(agent, vpn, start=OPENED - timedelta(hours=90))
    incident = gen_incident(service_id=vpn.id)
    page = html(client, f"/agent/incidents/{incident.reference}")
    assert page.count("Caused by this change</button>") == 2  # the recent one, and the form
    assert f'value="{change.reference}"' in page
    response = client.post(
        f"/agent/incidents/{incident.reference}/change", data={"cause-reference": change.reference}
    )
    assert response.status_code == 302 and incident.caused_by_change == change
    page = html(client, f"/agent/incidents/{incident.reference}")
    assert f'Caused by <a class="ref" href="/agent/changes/{change.reference}"' in page
    detail = html(client, f"/agent/changes/{change.reference}")
    assert incident.reference in detail and "as caused by this change" in detail
    client.post(f"/agent/incidents/{incident.reference}/change/clear")
    assert incident.caused_by_change is None


def test_an_unknown_reference_is_refused_with_a_message(client, agent):
    incident = gen_incident()
    client.post(f"/agent/incidents/{incident.reference}/change", data={"cause-reference": "CHG-9"})
    page = html(client, f"/agent/incidents/{incident.reference}")
    assert "There is no change CHG-9." in page and incident.caused_by_change_id is None


def test_end_users_are_kept_out(client, auth, clock):
    agent = gen_user("agent")
    vpn = gen_service()
    change = gen_change(agent, vpn)
    user = gen_user("user")
    incident = gen_incident(user, service_id=vpn.id)
    auth.login(user.email)
    for path in ("/agent/changes", "/agent/changes/new", f"/agent/changes/{change.reference}"):
        assert client.get(path).status_code == 403
    for path in (
        f"/agent/changes/{change.reference}/status/cancelled",
        f"/agent/incidents/{incident.reference}/change",
        f"/agent/incidents/{incident.reference}/change/clear",
    ):
        assert client.post(path, data={"cause-reference": change.reference}).status_code == 403
    assert change.status == "planned" and incident.caused_by_change_id is None


def test_an_unknown_change_is_404(client, agent):
    html(client, "/agent/changes/CHG-999999", 404)
    html(client, "/agent/changes/nonsense/edit", 404)


def test_the_list_reads_a_fixed_number_of_queries(client, agent):
    vpn, mail = gen_service("VPN"), gen_service("Mail")

    def statements() -> int:
        with counted_statements() as sent:
            assert client.get("/agent/changes").status_code == 200
        return len(sent)

    gen_change(agent, vpn, mail, implementer_id=agent.id)
    few = statements()
    for number in range(10):
        implementer = gen_user("agent", name=f"Implementer {number}")
        gen_change(agent, vpn, mail, implementer_id=implementer.id)
    assert statements() <= few
