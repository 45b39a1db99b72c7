"""Assignment rules: a new incident goes to the team of the first rule matching its category
and/or service, and within the team to its queue, the next agent in turn or the least busy
agent, never to one who is away or deactivated; a reclassified unassigned incident too; and
the admin page that keeps the rules."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.automation import assignment_rules
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.models import (
    AssignmentRule,
    Category,
    Incident,
    OutboundEmail,
    Service,
    Team,
    User,
)
from helpdesk.web.agent.audit_trail import trail_of
from tests.conftest import AuthActions
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user
from tests.sql_statements import counted_statements


@pytest.fixture
def admin(app) -> User:
    return gen_user("admin", name="Ada Admin")


def team_of(*members: User, within: str = "nobody", name: str | None = None) -> Team:
    """A team handing out incidents `within` it as given."""
    team = gen_team(name, list(members))
    team.assign_within = within
    db.session.commit()
    return team


def rule(
    admin: User,
    team: Team,
    category: Category | None = None,
    service: Service | None = None,
) -> AssignmentRule:
    return assignment_rules.create_rule(
        admin, team.id, category.id if category else None, service.id if service else None
    )


def report(category: Category | None = None, service: Service | None = None) -> Incident:
    return gen_incident(
        category_id=category.id if category else None, service_id=service.id if service else None
    )


def holder(incident: Incident) -> tuple[str | None, str | None]:
    """Who has the incident now: (team name, agent name)."""
    db.session.refresh(incident)
    team, agent = incident.assigned_team, incident.assigned_agent
    return (team.name if team else None, agent.name if agent else None)


def test_a_rule_by_category_gives_new_incidents_to_its_team(admin):
    hardware = gen_category("Hardware")
    desk = team_of(name="Desk")
    rule(admin, desk, hardware)
    incident = report(hardware)
    assert holder(incident) == ("Desk", None)
    assert incident.status == "assigned"
    assert holder(report(gen_category())) == (None, None)
    assert holder(report()) == (None, None)


def test_a_rule_by_service_and_one_by_both(admin):
    vpn, network = gen_service("VPN"), gen_category("Network")
    by_service, by_both = team_of(name="Remote"), team_of(name="Net ops")
    rule(admin, by_both, network, vpn)
    rule(admin, by_service, service=vpn)
    assert holder(report(network, vpn)) == ("Net ops", None)
    assert holder(report(gen_category(), vpn)) == ("Remote", None)
    assert holder(report(service=vpn)) == ("Remote", None)
    assert holder(report(network)) == (None, None)  # the rule names a service it lacks


def test_the_first_matching_rule_by_position_wins(admin):
    email, outlook = gen_category("Email"), gen_service("Outlook")
    first, second = team_of(name="First"), team_of(name="Second")
    rule(admin, first, email)
    later = rule(admin, second, service=outlook)
    assert holder(report(email, outlook)) == ("First", None)
    assignment_rules.move_rule(admin, later.id, "up")
    assert holder(report(email, outlook)) == ("Second", None)


def test_round_robin_takes_agents_in_turn_skipping_away_and_inactive_ones(admin):
    printers = gen_category("Printers")
    ann, bob, cat, dan = (gen_user("agent", name=n) for n in ("Ann", "Bob", "Cat", "Dan"))
    requester = gen_user(name="Not an agent")
    team = team_of(ann, bob, cat, dan, requester, within="round_robin", name="Print")
    rule(admin, team, printers)
    assert [holder(report(printers))[1] for _ in range(5)] == ["Ann", "Bob", "Cat", "Dan", "Ann"]
    bob.away = True
    cat.active = False
    db.session.commit()
    assert [holder(report(printers))[1] for _ in range(3)] == ["Dan", "Ann", "Dan"]
    assert db.session.get(Team, team.id).last_assigned_agent_id == dan.id


def test_least_open_gives_to_the_agent_with_fewest_open_incidents(admin):
    laptops = gen_category("Laptops")
    ann, bob, cat = (gen_user("agent", name=n) for n in ("Ann", "Bob", "Cat"))
    team = team_of(ann, bob, cat, within="least_open", name="Field")
    for agent, count in ((ann, 2), (bob, 1)):
        for _ in range(count):
            incidents.assign(gen_incident(), admin, team.id, agent.id)
    done = gen_incident()
    incidents.assign(done, admin, team.id, cat.id)
    incidents.cancel(done, admin, "Raised in error")  # not open: does not count
    rule(admin, team, laptops)
    assert holder(report(laptops)) == ("Field", "Cat")  # none open; Cat's is cancelled
    assert holder(report(laptops)) == ("Field", "Bob")  # ties (1 each): the lowest id
    cat.away = True
    db.session.commit()
    assert holder(report(laptops)) == ("Field", "Ann")  # Ann 2, Bob 2: the lowest id


def test_with_no_eligible_agent_the_incident_waits_in_the_team_queue(admin):
    phones = gen_category("Phones")
    away = gen_user("agent", name="Away")
    away.away = True
    team = team_of(away, gen_user(name="A requester"), within="round_robin", name="Phones")
    rule(admin, team, phones)
    incident = report(phones)
    assert holder(incident) == ("Phones", None)
    assert db.session.get(Team, team.id).last_assigned_agent_id is None


def test_a_reclassified_unassigned_incident_gets_the_rule_an_assigned_one_does_not(admin):
    storage, agent = gen_category("Storage"), gen_user("agent", name="Sam")
    team = team_of(agent, within="round_robin", name="Storage team")
    rule(admin, team, storage)
    loose, taken = report(), report()
    incidents.assign(taken, admin, team_of(name="Other").id, None)
    for incident in (loose, taken):
        incidents.classify(
            incident, admin, incidents.Classification("low", "medium", category_id=storage.id)
        )
    assert holder(loose) == ("Storage team", "Sam")
    assert holder(taken) == ("Other", None)


def test_the_trail_says_which_rule_assigned_it_and_the_agent_is_told(app, admin):
    email = gen_category("Email")
    agent = gen_user("agent", name="Eve")
    rule(admin, team_of(agent, within="round_robin", name="Mail"), email)
    incident = report(email)
    with app.test_request_context():
        sentences = [str(text) for _, text in trail_of(incident)]
    assert "Assigned to Mail / Eve by the rule for category Email" in sentences
    assert db.session.scalars(
        select(OutboundEmail.kind).where(OutboundEmail.recipient == agent.email)
    ).all() == ["assigned"]


def test_intake_asks_for_a_rule_once_and_not_at_all_without_category_or_service(app):
    category, requester = gen_category("Anything"), gen_user()
    for fields, asked in (({"category_id": category.id}, 1), ({}, 0)):
        with counted_statements() as statements:
            gen_incident(requester, **fields)
        assert sum("assignment_rules" in sql for sql in statements) == asked


def test_rules_are_validated_and_for_admins_only(admin):
    team, category = team_of(name="T"), gen_category("C")
    agent = gen_user("agent")
    with pytest.raises(InvalidInput, match="Choose the team"):
        assignment_rules.create_rule(admin, None, category.id, None)
    with pytest.raises(InvalidInput, match="a category, a service or both"):
        assignment_rules.create_rule(admin, team.id, None, None)
    with pytest.raises(NotAllowed):
        assignment_rules.create_rule(agent, team.id, category.id, None)
    rule(admin, team, category)
    with pytest.raises(InvalidInput, match="already a rule for category C"):
        assignment_rules.create_rule(admin, team_of(name="U").id, category.id, None)
    assert len(db.session.scalars(select(AssignmentRule)).all()) == 1


def test_moving_and_deleting_keep_the_order(admin):
    team = team_of(name="T")
    a, _, c = (rule(admin, team, gen_category(n)) for n in ("A", "B", "C"))
    assignment_rules.move_rule(admin, c.id, "up")
    assignment_rules.move_rule(admin, a.id, "up")  # already first: stays
    assert [r.category.name for r in assignment_rules.rules()] == ["A", "C", "B"]
    assignment_rules.delete_rule(admin, a.id)
    assert [(r.position, r.category.name) for r in assignment_rules.rules()] == [
        (0, "C"),
        (1, "B"),
    ]


# The admin page.


def test_admin_page_adds_moves_and_deletes_rules(client: FlaskClient, auth: AuthActions, admin):
    network, vpn = gen_category("Network"), gen_service("VPN")
    team = team_of(name="Net ops", within="round_robin")
    auth.login(admin.email)
    page = client.get("/admin/assignment-rules")
    assert page.status_code == 200 and "No assignment rules yet" in page.text
    added = client.post(
        "/admin/assignment-rules",
        data={"category": str(network.id), "service": "", "team": str(team.id)},
        follow_redirects=True,
    )
    assert "Incidents of category Network now go to Net ops." in added.text
    client.post(
        "/admin/assignment-rules",
        data={"category": "", "service": str(vpn.id), "team": str(team.id)},
    )
    page = client.get("/admin/assignment-rules").text
    listed = page[page.index("<tbody>") : page.index("</tbody>")]
    assert listed.index("Network") < listed.index("VPN")
    assert "its agents in turn" in listed
    vpn_rule = db.session.scalars(
        select(AssignmentRule).where(AssignmentRule.service_id == vpn.id)
    ).one()
    client.post(f"/admin/assignment-rules/{vpn_rule.id}/move", data={"direction": "up"})
    assert [r.service_id for r in assignment_rules.rules()] == [vpn.id, None]
    client.post(f"/admin/assignment-rules/{vpn_rule.id}/delete")
    assert [r.category_id for r in assignment_rules.rules()] == [network.id]


def test_admin_page_changes_a_rule_in_its_place(client: FlaskClient, auth: AuthActions, admin):
    desk, net = team_of(name="Desk"), team_of(name="Net ops")
    first = rule(admin, desk, gen_category("Hardware"))
    rule(admin, desk, gen_category("Printers"))
    vpn = gen_service("VPN")
    auth.login(admin.email)
    page = client.get(f"/admin/assignment-rules/{first.id}")
    assert page.status_code == 200 and 'selected value="' in page.text
    changed = client.post(
        f"/admin/assignment-rules/{first.id}",
        data={"category": "", "service": str(vpn.id), "team": str(net.id)},
        follow_redirects=True,
    )
    assert "Incidents of service VPN now go to Net ops." in changed.text
    ordered = assignment_rules.rules()
    assert (ordered[0].service_id, ordered[0].team.name) == (vpn.id, "Net ops")
    assert ordered[1].category.name == "Printers"
    refused = client.post(
        f"/admin/assignment-rules/{first.id}", data={"category": "", "service": "", "team": ""}
    )
    assert refused.status_code == 422 and "Choose the team" in refused.text
    assert client.get("/admin/assignment-rules/999").status_code == 404


def test_admin_page_shows_why_a_rule_is_refused(client: FlaskClient, auth: AuthActions, admin):
    team = team_of(name="Desk")
    auth.login(admin.email)
    refused = client.post(
        "/admin/assignment-rules", data={"category": "", "service": "", "team": str(team.id)}
    )
    assert refused.status_code == 422
    assert "Choose a category, a service or both for the rule to match." in refused.text
    no_team = client.post(
        "/admin/assignment-rules",
        data={"category": str(gen_category().id), "service": "", "team": ""},
    )
    assert no_team.status_code == 422 and "Choose the team" in no_team.text
    assert assignment_rules.rules() == []


@pytest.mark.parametrize("role", ["user", "agent"])
def test_only_admins_reach_the_rules(client: FlaskClient, auth: AuthActions, admin, role):
    team, category = team_of(name="T"), gen_category()
    existing = rule(admin, team, category)
    auth.login(gen_user(role).email)
    assert client.get("/admin/assignment-rules").status_code == 403
    data = {"category": str(category.id), "team": str(team.id), "direction": "down"}
    for path in ("", f"/{existing.id}/move", f"/{existing.id}/delete"):
        assert client.post(f"/admin/assignment-rules{path}", data=data).status_code == 403
    assert len(assignment_rules.rules()) == 1


def test_round_robin_and_least_open_on_either_database(db_app):
    admin = gen_user("admin")
    ann, bob = gen_user("agent", name="Ann"), gen_user("agent", name="Bob")
    turns, least = gen_category("Turns"), gen_category("Least")
    rule(admin, team_of(ann, bob, within="round_robin", name="RR"), turns)
    rule(admin, team_of(ann, bob, within="least_open", name="LO"), least)
    assert [holder(report(turns))[1] for _ in range(3)] == ["Ann", "Bob", "Ann"]
    assert holder(report(least)) == ("LO", "Bob")  # Ann has two open, Bob one
