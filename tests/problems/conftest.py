"""Shared fixtures of the problem tests: an agent, and a problem to work on."""

from __future__ import annotations

import pytest
from flask import Flask

from helpdesk import problems
from helpdesk.models import Problem, User
from tests.factories import gen_user


@pytest.fixture
def agent(app: Flask) -> User:
    return gen_user("agent", name="Priya Agent")


@pytest.fixture
def problem(agent: User) -> Problem:
    fields = problems.ProblemFields(title="VPN drops every hour", description="Tunnels reset.")
    return problems.open_problem(agent, fields)


def known_error(problem: Problem, agent: User, workaround: str = "Reconnect with TCP.") -> Problem:
    """Walk the problem to known error with a workaround."""
    problems.edit(
        problem,
        agent,
        problems.ProblemFields(**{**vars(problems.fields_of(problem)), "workaround": workaround}),
    )
    problems.move(problem, agent, "investigating")
    problems.move(problem, agent, "known_error")
    return problem
