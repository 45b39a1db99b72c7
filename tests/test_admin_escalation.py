"""What admins set for escalation: a team's lead (a member agent), its escalation team (not
itself) and how incidents are assigned within it, on the team's page; an SLA policy's
escalate_on, on its form and through the TOML file."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from helpdesk import directory
from helpdesk.core.errors import InvalidInput
from helpdesk.extensions import db
from helpdesk.models import SlaPolicy, Team, User
from helpdesk.sla_policies import store
from helpdesk.sla_policies.toml_files import export_toml, import_toml
from tests.conftest import make_app
from tests.factories import gen_team, gen_user
from tests.sla_policy import OFFICE_HOURS, TARGETS, fields


@pytest.fixture
def admin(app, auth) -> User:
    """A signed-in admin."""
    person = gen_user("admin", name="Ada Admin")
    auth.login(person.email)
    return person


def team_form(team: Team, **changes: Any) -> dict[str, Any]:
    """The team page's details form as stored, changed as given."""
    form = {
        "name": team.name,
        "description": team.description,
        "lead": "",
        "escalation_team": "",
        "assign_within": "nobody",
    }
    if team.is_service_desk:
        form["is_service_desk"] = "y"
    return form | changes


def test_an_admin_sets_the_lead_the_escalation_team_and_the_assignment(client, admin):
    lena, otto = gen_user("agent", name="Lena Lead"), gen_user("agent", name="Otto Other")
    desk = gen_team("Service Desk", [lena, otto], service_desk=True)
    network = gen_team("Network")
    page = client.get(f"/admin/teams/{desk.id}").get_data(as_text=True)
    assert "Team lead" in page and "Escalation team" in page and "Round-robin" in page
    assert f'<option value="{network.id}">Network</option>' in page
    assert f'<option value="{desk.id}">Service Desk</option>' not in page  # not its own tier

    data = team_form(
        desk, lead=str(lena.id), escalation_team=str(network.id), assign_within="least_open"
    )
    assert client.post(f"/admin/teams/{desk.id}", data=data).status_code == 302
    db.session.refresh(desk)
    assert (desk.lead, desk.escalation_team, desk.assign_within) == (lena, network, "least_open")
    page = client.get(f"/admin/teams/{desk.id}").get_data(as_text=True)
    assert f'<option selected value="{lena.id}">Lena Lead</option>' in page
    listing = client.get("/admin/teams").get_data(as_text=True)
    assert "Lena Lead" in listing and "Network" in listing


def test_the_lead_must_be_an_agent_in_the_team(client, admin):
    outsider = gen_user("agent", name="Nia Net")
    desk = gen_team("Service Desk", [gen_user("agent")], service_desk=True)
    response = client.post(f"/admin/teams/{desk.id}", data=team_form(desk, lead=str(outsider.id)))
    assert response.status_code == 422
    assert "Nia Net is not an agent in Service Desk: add them to the team first." in (
        response.get_data(as_text=True)
    )
    db.session.refresh(desk)
    assert desk.lead is None


def test_a_team_cannot_escalate_to_itself(client, admin):
    desk = gen_team("Service Desk", service_desk=True)
    response = client.post(
        f"/admin/teams/{desk.id}", data=team_form(desk, escalation_team=str(desk.id))
    )
    assert response.status_code == 422
    assert "Service Desk cannot escalate to itself" in response.get_data(as_text=True)


def test_an_unknown_way_of_assigning_is_refused(client, admin):
    desk = gen_team("Service Desk")
    response = client.post(f"/admin/teams/{desk.id}", data=team_form(desk, assign_within="dice"))
    assert response.status_code == 422
    assert "Choose how to assign within the team" in response.get_data(as_text=True)


def test_a_lead_who_leaves_the_team_stops_leading_it(app):
    admin, lena = gen_user("admin"), gen_user("agent")
    desk = gen_team("Service Desk", [lena])
    directory.update_team(admin, desk.id, desk.name, "", False, directory.TeamRouting(lena.id))
    directory.remove_member(admin, desk.id, lena.id)
    assert desk.lead is None


def test_a_new_team_has_no_lead_yet(app):
    admin, lena = gen_user("admin"), gen_user("agent", name="Lena Lead")
    with pytest.raises(InvalidInput, match="Lena Lead is not an agent in Ops"):
        directory.create_team(admin, "Ops", routing=directory.TeamRouting(lead_id=lena.id))
    assert db.session.scalars(select(Team)).all() == []


# --- The policy's escalate_on -------------------------------------------------------------


def policy_form(**changes: Any) -> dict[str, Any]:
    """The default policy "Standard" as an admin fills its form."""
    targets = {
        f"{key.lower()}-{part}": value
        for key, target in TARGETS.items()
        for part, value in target.items()
    }
    form = {"name": "Standard", "calendar": "Office hours", "is_default": "y"}
    return form | targets | {"pause_on": ["awaiting_user"], "warn_at": "0.75"} | changes


def test_an_admin_chooses_when_a_policy_escalates(client, admin):
    store.create_calendar(None, "Office hours", OFFICE_HOURS)
    row = store.create_policy(None, "Standard", fields(is_default=True))
    page = client.get(f"/admin/sla/policies/{row.id}").get_data(as_text=True)
    assert '<option selected value="never">' in page
    response = client.post(f"/admin/sla/policies/{row.id}", data=policy_form(escalate_on="breach"))
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.escalate_on == "breach"
    response = client.post(f"/admin/sla/policies/{row.id}", data=policy_form(escalate_on="soon"))
    assert response.status_code == 422
    assert "Policy Standard: escalate on &#39;soon&#39;?" in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.escalate_on == "breach"


def test_escalate_on_round_trips_through_the_toml_file(app: Flask, tmp_path) -> None:
    store.create_calendar(None, "Office hours", OFFICE_HOURS)
    store.create_policy(None, "Standard", fields(is_default=True, escalate_on="warning"))
    text = export_toml()
    assert 'warn_at = 0.75\nescalate_on = "warning"\n' in text
    other = make_app(tmp_path / "other")
    with other.app_context():
        import_toml(text)
        assert db.session.scalars(select(SlaPolicy.escalate_on)).one() == "warning"
        assert export_toml() == text
        # Left out, it is "never", and "never" is left out of the export.
        import_toml(text.replace('escalate_on = "warning"\n', ""))
        assert db.session.scalars(select(SlaPolicy.escalate_on)).one() == "never"
        assert "escalate_on" not in export_toml()
        with pytest.raises(InvalidInput, match=r"policies\.Standard\.escalate_on: 'later'"):
            import_toml(text.replace('"warning"', '"later"'))
        db.session.remove()
