"""Problem records: opening with a PRB- reference, editing with an audited trail, and the
status moves the lifecycle allows (and refuses, with a sentence)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from helpdesk import problems
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Problem, User
from helpdesk.models.audit import PROBLEM
from helpdesk.problems.states import move_refusal, plain_targets
from tests.factories import gen_service, gen_team, gen_user
from tests.problems.conftest import known_error


def trail(problem: Problem) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.about(PROBLEM, problem.id)).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_opening_spells_the_reference_and_audits(problem: Problem, agent: User) -> None:
    assert problem.reference == f"PRB-{problem.id:06d}"
    assert problem.status == "new" and problem.created_by_id == agent.id
    assert [event.action for event in trail(problem)] == ["opened"]


def test_only_agents_open_problems(app) -> None:
    with pytest.raises(NotAllowed, match="Only agents"):
        problems.open_problem(gen_user("user"), problems.ProblemFields(title="VPN"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "The title cannot be empty"),
        ({"priority": 9}, "The priority must be from 1 to 5"),
        ({"owner_team_id": 999}, "Unknown owner team"),
        ({"service_ids": [999]}, "Unknown service"),
    ],
)
def test_bad_fields_are_refused(agent: User, change: dict, message: str) -> None:
    fields = dataclasses.replace(problems.ProblemFields(title="VPN"), **change)
    with pytest.raises((InvalidInput, NotFound), match=message):
        problems.open_problem(agent, fields)
    assert db.session.scalar(select(Problem)) is None


def test_an_owner_must_be_an_agent(agent: User) -> None:
    user = gen_user("user", name="Uma User")
    fields = problems.ProblemFields(title="VPN", owner_agent_id=user.id)
    with pytest.raises(InvalidInput, match="Uma User is not an active agent"):
        problems.open_problem(agent, fields)


def test_editing_records_old_and_new_values(problem: Problem, agent: User) -> None:
    team, vpn = gen_team("Network"), gen_service("VPN")
    fields = problems.fields_of(problem)
    fields.priority, fields.owner_team_id, fields.service_ids = 2, team.id, [vpn.id]
    fields.root_cause = "The concentrator's firmware leaks sessions."
    problems.edit(problem, agent, fields)
    changes = trail(problem)[-1].details["changes"]
    assert changes["priority"] == [3, 2]
    assert changes["owner_team"] == [None, "Network"]
    assert changes["services"] == [[], ["VPN"]]
    assert changes["root_cause"] == [None, "The concentrator's firmware leaks sessions."]
    assert "title" not in changes


def test_an_edit_changing_nothing_records_nothing(problem: Problem, agent: User) -> None:
    problems.edit(problem, agent, problems.fields_of(problem))
    assert [event.action for event in trail(problem)] == ["opened"]


def test_the_lifecycle_to_closed(problem: Problem, agent: User) -> None:
    known_error(problem, agent)
    assert problem.is_known_error
    problems.resolve(problem, agent, "Firmware 9.1 installed.")
    problems.move(problem, agent, "closed")
    assert (problem.status, problem.fix) == ("closed", "Firmware 9.1 installed.")
    assert problem.resolved_at is not None and problem.closed_at is not None
    moves = [
        (e.details["from"], e.details["to"]) for e in trail(problem) if e.action == "status_changed"
    ]
    assert moves == [
        ("new", "investigating"),
        ("investigating", "known_error"),
        ("known_error", "resolved"),
        ("resolved", "closed"),
    ]


def test_a_resolved_problem_reopens_to_investigating(problem: Problem, agent: User) -> None:
    problems.move(problem, agent, "investigating")
    problems.resolve(problem, agent, "Rebooted the concentrator.")
    problems.move(problem, agent, "investigating")
    assert problem.status == "investigating" and problem.resolved_at is None


def test_a_known_error_needs_a_workaround(problem: Problem, agent: User) -> None:
    problems.move(problem, agent, "investigating")
    with pytest.raises(InvalidInput, match="A known error needs its workaround"):
        problems.move(problem, agent, "known_error")
    assert problem.status == "investigating"


def test_a_known_errors_workaround_cannot_be_emptied(problem: Problem, agent: User) -> None:
    known_error(problem, agent)
    fields = dataclasses.replace(problems.fields_of(problem), workaround="  ")
    with pytest.raises(InvalidInput, match="cannot be emptied"):
        problems.edit(problem, agent, fields)
    db.session.refresh(problem)
    assert problem.workaround == "Reconnect with TCP."


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ((), "known_error", "A problem that is new cannot become known error."),
        ((), "closed", "A problem that is new cannot become closed."),
        (("investigating",), "new", "cannot become new"),
        ((), "resolved", "Resolve a problem with its fix."),
        ((), "fixed", "Unknown status 'fixed'"),
    ],
)
def test_refused_moves_say_why(
    problem: Problem, agent: User, path: tuple[str, ...], target: str, message: str
) -> None:
    for step in path:
        problems.move(problem, agent, step)
    with pytest.raises(InvalidInput, match=message):
        problems.move(problem, agent, target)


def test_resolving_a_new_problem_is_refused(problem: Problem, agent: User) -> None:
    with pytest.raises(InvalidInput, match="new cannot become resolved"):
        problems.resolve(problem, agent, "Patched.")
    with pytest.raises(InvalidInput, match="The fix cannot be empty"):
        problems.move(problem, agent, "investigating") or problems.resolve(problem, agent, " ")


def test_the_lifecycle_rule_is_pure() -> None:
    assert move_refusal("investigating", "known_error", has_workaround=True) is None
    assert move_refusal("known_error", "resolved", has_workaround=True) is None
    assert move_refusal("closed", "investigating", has_workaround=True) is not None
    assert plain_targets("investigating") == ("known_error",)
    assert plain_targets("resolved") == ("closed", "investigating")
