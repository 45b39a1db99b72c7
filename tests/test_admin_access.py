"""Only admins reach the admin area: agents and users get 403 on every route, visitors the
login page, and nothing changes on the way."""

import pytest

from helpdesk.extensions import db
from tests.factories import gen_category, gen_team, gen_user

# One request per admin route: endpoint -> (method, path with {user}, {team}, {entry}).
ROUTES = {
    "admin.index": ("GET", "/admin/"),
    "admin.users": ("GET", "/admin/users"),
    "admin.new_user": ("POST", "/admin/users/new"),
    "admin.edit_user": ("POST", "/admin/users/{user}"),
    "admin.send_password_link": ("POST", "/admin/users/{user}/password-link"),
    "admin.revoke_token": ("POST", "/admin/users/{user}/tokens/1/revoke"),
    "admin.teams": ("GET", "/admin/teams"),
    "admin.create_team": ("POST", "/admin/teams"),
    "admin.team": ("POST", "/admin/teams/{team}"),
    "admin.add_member": ("POST", "/admin/teams/{team}/members"),
    "admin.remove_member": ("POST", "/admin/teams/{team}/members/{user}/delete"),
    "admin.catalogue": ("GET", "/admin/catalogues/categories"),
    "admin.create_entry": ("POST", "/admin/catalogues/categories"),
    "admin.rename_entry": ("POST", "/admin/catalogues/categories/{entry}"),
    "admin.set_entry_active": ("POST", "/admin/catalogues/categories/{entry}/active"),
    "admin.sla": ("GET", "/admin/sla"),
    "admin.new_calendar": ("POST", "/admin/sla/calendars/new"),
    "admin.edit_calendar": ("POST", "/admin/sla/calendars/1"),
    "admin.delete_calendar": ("POST", "/admin/sla/calendars/1/delete"),
    "admin.new_policy": ("POST", "/admin/sla/policies/new"),
    "admin.edit_policy": ("POST", "/admin/sla/policies/1"),
    "admin.delete_policy": ("POST", "/admin/sla/policies/1/delete"),
    "admin.export_sla": ("GET", "/admin/sla/export.toml"),
    "admin.import_sla": ("POST", "/admin/sla/import"),
    "admin.rules": ("GET", "/admin/assignment-rules"),
    "admin.create_rule": ("POST", "/admin/assignment-rules"),
    "admin.rule": ("POST", "/admin/assignment-rules/1"),
    "admin.move_rule": ("POST", "/admin/assignment-rules/1/move"),
    "admin.delete_rule": ("POST", "/admin/assignment-rules/1/delete"),
    "admin.webhooks": ("POST", "/admin/webhooks"),
    "admin.webhook": ("POST", "/admin/webhooks/1"),
    "admin.enable_webhook": ("POST", "/admin/webhooks/1/enable"),
    "admin.rotate_webhook_secret": ("POST", "/admin/webhooks/1/secret"),
    "admin.delete_webhook": ("POST", "/admin/webhooks/1/delete"),
    "admin.received_alerts": ("GET", "/admin/alerts"),
    "admin.send_webhook_again": ("POST", "/admin/webhooks/1/deliveries/1/again"),
}
# What each POST would carry if it were allowed, so a 403 is not an empty form's doing.
DATA = {
    "email": "new@example.org",
    "name": "Renamed",
    "role": "admin",
    "active": "0",
    "user": "1",
    "new-name": "Fresh",
}


@pytest.fixture
def things(app):
    """A team with a member and a category for the routes to act on."""
    member = gen_user("agent")
    team = gen_team("Network", [member])
    entry = gen_category("Email")
    return member, team, entry


def request(client, endpoint, things):
    """Send the request for one admin route."""
    member, team, entry = things
    method, path = ROUTES[endpoint]
    path = path.format(user=member.id, team=team.id, entry=entry.id)
    return client.open(path, method=method, data=DATA | {f"e{entry.id}-name": "Mail"})


def unchanged(things) -> bool:
    """Whether the team, its member and the category are as the fixture made them."""
    member, team, entry = things
    db.session.expire_all()  # read what the database holds now
    return (
        team.name == "Network"
        and team.members == [member]
        and (entry.name, entry.active) == ("Email", True)
        and member.role == "agent"
    )


def test_every_admin_route_is_covered(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert endpoints == set(ROUTES)


@pytest.mark.parametrize("role", ["user", "agent"])
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_non_admins_get_403(client, auth, things, role, endpoint):
    auth.login(gen_user(role).email)
    assert request(client, endpoint, things).status_code == 403
    assert unchanged(things)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_visitor_is_sent_to_login(client, things, endpoint):
    response = request(client, endpoint, things)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert unchanged(things)


def test_admin_start_page(client, auth, things):
    auth.login(gen_user("admin").email)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Administration" in html
    for link in (
        "/admin/users",
        "/admin/teams",
        "/admin/catalogues/categories",
        "/admin/catalogues/services",
        "/admin/sla",
    ):
        assert f'href="{link}"' in html
