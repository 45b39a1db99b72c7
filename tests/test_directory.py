"""The directory service: teams, memberships and catalogues, with admin-only, validated changes."""

import re

import pytest

from helpdesk import directory
from helpdesk.incidents import InvalidInput, NotAllowed, NotFound
from helpdesk.models import Category, Service
from tests.factories import gen_category, gen_service, gen_team, gen_user


@pytest.fixture
def admin(app):
    """An admin to act as."""
    return gen_user("admin", name="Ada Admin")


def test_create_team_trims_the_name(admin):
    team = directory.create_team(admin, "  Network   Ops ", "Switches and Wi-Fi", False)
    assert (team.name, team.description, team.is_service_desk) == (
        "Network Ops",
        "Switches and Wi-Fi",
        False,
    )
    assert directory.teams() == [team]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "The team needs a name."),
        ("x" * 81, "The team name is too long (at most 80 characters)."),
        ("network", "There is already a team called Network."),
    ],
)
def test_bad_team_names_are_refused(admin, name, message):
    gen_team("Network")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        directory.create_team(admin, name)


def test_only_one_service_desk(admin):
    gen_team("Service Desk", service_desk=True)
    with pytest.raises(InvalidInput, match="Service Desk is already the service desk"):
        directory.create_team(admin, "Second Line", "", True)


def test_update_team(admin):
    desk = gen_team("Service Desk", service_desk=True)
    team = gen_team("Netwrk")
    directory.update_team(admin, team.id, "Network", "LAN and WAN", False)
    assert (team.name, team.description) == ("Network", "LAN and WAN")
    directory.update_team(admin, desk.id, "First Line", "", True)  # keeping its own flag is fine
    assert desk.name == "First Line" and desk.is_service_desk
    with pytest.raises(InvalidInput, match="already a team called First Line"):
        directory.update_team(admin, team.id, "first line", "", False)
    with pytest.raises(NotFound, match="Unknown team"):
        directory.update_team(admin, 999, "Ghost", "", False)


def test_description_length_is_checked(admin):
    with pytest.raises(InvalidInput, match="description is too long"):
        directory.create_team(admin, "Network", "d" * 256)


def test_members_are_agents_added_once_and_removable(admin):
    team = gen_team("Network")
    agent = gen_user("agent", name="Nia Net")
    assert directory.add_member(admin, team.id, agent.id) == agent
    assert team.members == [agent]
    with pytest.raises(InvalidInput, match="Nia Net is already in Network"):
        directory.add_member(admin, team.id, agent.id)
    directory.remove_member(admin, team.id, agent.id)
    assert team.members == []
    with pytest.raises(NotFound, match="not in Network"):
        directory.remove_member(admin, team.id, agent.id)


def test_end_users_cannot_join_teams(admin):
    team = gen_team("Network")
    with pytest.raises(InvalidInput, match="is not an agent"):
        directory.add_member(admin, team.id, gen_user("user").id)
    with pytest.raises(NotFound, match="Choose someone to add"):
        directory.add_member(admin, team.id, None)


@pytest.mark.parametrize("kind", ["categories", "services"])
def test_catalogue_entries_lifecycle(admin, kind):
    entry = directory.create_entry(admin, kind, " Printers ")
    assert entry.name == "Printers" and entry.active
    directory.rename_entry(admin, kind, entry.id, "Printing")
    directory.set_entry_active(admin, kind, entry.id, False)
    assert (entry.name, entry.active) == ("Printing", False)
    directory.set_entry_active(admin, kind, entry.id, True)
    assert entry.active
    assert directory.entries(kind) == [entry]


def test_catalogue_names_are_unique_per_catalogue(admin):
    gen_category("Email")
    with pytest.raises(InvalidInput, match="There is already a category called Email"):
        directory.create_entry(admin, "categories", "EMAIL")
    assert isinstance(directory.create_entry(admin, "services", "Email"), Service)


def test_retired_entries_are_listed_last(admin):
    retired, active = gen_category("Alpha", active=False), gen_category("Zulu")
    assert directory.entries("categories") == [active, retired]
    assert isinstance(active, Category)


def test_unknown_catalogue_and_entry(admin):
    with pytest.raises(NotFound, match="Unknown catalogue"):
        directory.create_entry(admin, "printers", "x")
    with pytest.raises(NotFound, match="Unknown service"):
        directory.rename_entry(admin, "services", 999, "x")


@pytest.mark.parametrize("role", ["user", "agent"])
def test_only_admins_change_the_directory(app, role):
    actor = gen_user(role)
    team = gen_team("Network")
    entry = gen_service("VPN")
    attempts = [
        lambda: directory.create_team(actor, "Other"),
        lambda: directory.update_team(actor, team.id, "Renamed", "", False),
        lambda: directory.add_member(actor, team.id, actor.id),
        lambda: directory.create_entry(actor, "services", "Payroll"),
        lambda: directory.rename_entry(actor, "services", entry.id, "Remote access"),
        lambda: directory.set_entry_active(actor, "services", entry.id, False),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            attempt()
    assert (team.name, entry.name, entry.active) == ("Network", "VPN", True)


def test_agents_lists_active_agents_and_admins(admin):
    agent = gen_user("agent", name="Bea Agent")
    gone = gen_user("agent", name="Cy Gone")
    gone.active = False
    gen_user("user")
    assert directory.agents() == [admin, agent]


def test_find_users_by_words_role_and_state(admin):
    rita = gen_user("user", name="Rita Requester", email="rita@corp.example")
    gen_user("agent", name="Rita Agent")
    assert directory.find_users("rita corp").users == [rita]
    assert [u.name for u in directory.find_users("rita", role="agent").users] == ["Rita Agent"]
    assert directory.find_users(active=False).users == []
    page = directory.find_users(size=2)
    assert len(page.users) == 2 and page.has_more
    assert not directory.find_users(page=2, size=2).has_more


def test_summary_counts(admin):
    gen_user("agent")
    gen_team("Network")
    gen_category("Email")
    gen_category("Old", active=False)
    summary = directory.summary()
    assert (summary["admin"], summary["agent"], summary["user"]) == (1, 1, 0)
    assert (summary["teams"], summary["categories"], summary["services"]) == (1, 1, 0)
