"""Admin pages for teams: create, rename, describe, service desk flag, members."""

import pytest

from helpdesk.extensions import db
from helpdesk.models import Team
from tests.factories import gen_team, gen_user


@pytest.fixture
def admin(app, auth):
    """A signed-in admin."""
    person = gen_user("admin", name="Ada Admin")
    auth.login(person.email)
    return person


def test_empty_state_then_create(client, admin):
    assert "No teams here yet" in client.get("/admin/teams").get_data(as_text=True)
    response = client.post(
        "/admin/teams",
        data={"name": "Service Desk", "description": "First line", "is_service_desk": "y"},
    )
    assert response.status_code == 302
    team = db.session.query(Team).one()
    assert (team.name, team.description, team.is_service_desk) == (
        "Service Desk",
        "First line",
        True,
    )
    assert response.headers["Location"].endswith(f"/admin/teams/{team.id}")
    html = client.get("/admin/teams").get_data(as_text=True)
    assert "Service Desk" in html and "Service desk</span>" in html


def test_duplicate_name_is_refused_and_kept(client, admin):
    gen_team("Network")
    response = client.post("/admin/teams", data={"name": "NETWORK", "description": "Kept"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is already a team called Network." in html
    assert 'value="Kept"' in html
    assert db.session.query(Team).count() == 1


def test_rename_describe_and_flag(client, admin):
    team = gen_team("Netwrk")
    response = client.post(
        f"/admin/teams/{team.id}", data={"name": "Network", "description": "LAN"}
    )
    assert response.status_code == 302
    db.session.refresh(team)
    assert (team.name, team.description, team.is_service_desk) == ("Network", "LAN", False)


def test_second_service_desk_is_refused(client, admin):
    gen_team("Service Desk", service_desk=True)
    team = gen_team("Network")
    response = client.post(
        f"/admin/teams/{team.id}", data={"name": "Network", "is_service_desk": "y"}
    )
    assert response.status_code == 422
    assert "Service Desk is already the service desk." in response.get_data(as_text=True)
    db.session.refresh(team)
    assert not team.is_service_desk


def test_add_and_remove_members(client, admin):
    team = gen_team("Network")
    agent = gen_user("agent", name="Nia Net")
    html = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert "No members yet." in html and "Nia Net" in html  # offered in the select
    assert (
        client.post(f"/admin/teams/{team.id}/members", data={"user": agent.id}).status_code == 302
    )
    db.session.refresh(team)
    assert team.members == [agent]
    html = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert f'action="/admin/teams/{team.id}/members/{agent.id}/delete"' in html
    response = client.post(f"/admin/teams/{team.id}/members/{agent.id}/delete")
    assert response.status_code == 302
    db.session.refresh(team)
    assert team.members == []
    assert "Nia Net is no longer in Network." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_end_user_cannot_be_added(client, admin):
    team = gen_team("Network")
    user = gen_user("user", name="Uma User")
    response = client.post(f"/admin/teams/{team.id}/members", data={"user": user.id})
    assert response.status_code == 422
    assert "Uma User is not an agent." in response.get_data(as_text=True)
    db.session.refresh(team)
    assert team.members == []


def test_unknown_team_is_404(client, admin):
    assert client.get("/admin/teams/999").status_code == 404
    assert client.post("/admin/teams/999/members", data={"user": admin.id}).status_code == 404
