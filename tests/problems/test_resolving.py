"""Resolving a problem with its fix: the agents of its open incidents get a console notice,
and the offer resolves the chosen open incidents with the fix as their notes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import incidents, problems
from helpdesk.core.errors import InvalidInput
from helpdesk.extensions import db
from helpdesk.models import AgentNotice, Incident, Problem, User
from tests.factories import gen_incident, gen_team, gen_user


@pytest.fixture
def worked(problem: Problem, agent: User) -> list[Incident]:
    """Three incidents of the problem, each assigned to its own agent; one already resolved."""
    found = []
    for number in range(3):
        colleague = gen_user("agent", name=f"Colleague {number}")
        team = gen_team(f"Team {number}", members=[colleague])
        incident = gen_incident(subject=f"VPN drop {number}")
        incidents.assign(incident, agent, team.id, colleague.id)
        problems.link_incident(problem, agent, incident)
        found.append(incident)
    incidents.resolve(found[2], agent, "fixed", "Reconnected.")
    problems.move(problem, agent, "investigating")
    return found


def test_resolving_tells_the_agents_of_open_incidents(
    problem: Problem, agent: User, worked: list[Incident]
) -> None:
    still_open = problems.resolve(problem, agent, "Firmware 9.1 fixes the session leak.")
    assert [i.id for i in still_open] == [worked[0].id, worked[1].id]
    notices = db.session.scalars(
        select(AgentNotice).where(AgentNotice.kind == "problem_resolved").order_by(AgentNotice.id)
    ).all()
    assert [(n.user_id, n.incident_id) for n in notices] == [
        (worked[0].assigned_agent_id, worked[0].id),
        (worked[1].assigned_agent_id, worked[1].id),
    ]
    assert notices[0].details == {"problem": problem.reference, "title": problem.title}


def test_the_offer_resolves_the_chosen_incidents_with_the_fix(
    problem: Problem, agent: User, worked: list[Incident]
) -> None:
    problems.resolve(problem, agent, "Firmware 9.1 fixes the session leak.")
    done = problems.resolve_incidents_with_fix(problem, agent, [worked[1].id])
    assert done == [worked[1]]
    assert worked[1].status == "resolved"
    assert worked[1].resolution_notes == "Firmware 9.1 fixes the session leak."
    assert worked[0].status != "resolved"


def test_the_offer_takes_only_open_incidents_of_the_problem(
    problem: Problem, agent: User, worked: list[Incident]
) -> None:
    problems.resolve(problem, agent, "Patched.")
    stranger = gen_incident()
    for chosen in ([stranger.id], [worked[2].id], []):
        with pytest.raises(InvalidInput):
            problems.resolve_incidents_with_fix(problem, agent, chosen)
    assert stranger.status == "new"


def test_the_offer_needs_the_fix_first(
    problem: Problem, agent: User, worked: list[Incident]
) -> None:
    with pytest.raises(InvalidInput, match="with its fix first"):
        problems.resolve_incidents_with_fix(problem, agent, [worked[0].id])


def test_the_notice_links_the_problem(
    client, auth, problem: Problem, agent: User, worked: list[Incident]
) -> None:
    problems.resolve(problem, agent, "Patched.")
    auth.login(worked[0].assigned_agent.email)
    page = client.get("/agent/notices").get_data(as_text=True)
    assert f"/agent/problems/{problem.reference}" in page and "has a fix" in page
