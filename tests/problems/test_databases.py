"""The problem reads on both databases: the known-error search (every word, case aside,
wildcards taken literally), the recurring-incidents hints, and the list's counts."""

from __future__ import annotations

from flask import Flask

from helpdesk import problems
from helpdesk.models import User, utcnow
from helpdesk.reads import problem_hints
from helpdesk.reads import problems as problem_reads
from tests.factories import gen_incident, gen_service, gen_user
from tests.problems.conftest import known_error


def titles(status: str | None, text: str) -> list[str]:
    listing = problem_reads.listing(status, text, 1, 25)
    return sorted(problem.title for problem in listing.items)


def test_search_hints_and_counts(db_app: Flask) -> None:
    agent: User = gen_user("agent")
    vpn = known_error(
        problems.open_problem(agent, problems.ProblemFields(title="VPN drops", root_cause="MTU")),
        agent,
        "Lower the MTU to 1400 (100% of cases)",
    )
    problems.open_problem(agent, problems.ProblemFields(title="VPN_slow"))
    assert titles("known_error", "vpn mtu") == ["VPN drops"]
    assert titles(None, "vpn") == ["VPN drops", "VPN_slow"]
    assert titles(None, "n_s") == ["VPN_slow"]
    assert titles(None, "100%") == ["VPN drops"]
    assert titles(None, "vpn printer") == []

    service = gen_service("VPN")
    opened = [gen_incident(subject="VPN down", service_id=service.id) for _ in range(5)]
    hint = problem_hints.hint_for(opened[0], utcnow())
    assert hint is not None and hint.count == 5
    assert [(r.about, r.count) for r in problem_hints.recurring_now(utcnow())] == [("VPN", 5)]

    problems.link_incident(vpn, agent, opened[0])
    assert problem_reads.open_incident_counts([vpn]) == {vpn.id: 1}
    assert problem_hints.hint_for(opened[1], utcnow()) is None  # 4 left unlinked
