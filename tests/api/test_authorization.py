"""Who may call each operation of the API: every operation of the document, sent as each
role with a request that would succeed, is let through exactly for the roles the web lets
through, and refused (403 for the role, 404 for an incident they may not see) for the rest.

The table below must name every operation the document has: a new operation without a row
fails the first test, so none ships without its authorization being tested.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import changes, incidents, major_incidents
from helpdesk.api import document
from helpdesk.extensions import db
from helpdesk.incidents import NewAttachment
from helpdesk.kb import service as kb
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Change, Incident, Problem, Service, SlaPolicy, User
from helpdesk.problems import ProblemFields, link_incident, move, open_problem
from helpdesk.reads import major_incidents as majors
from helpdesk.reads.incident_search import find_by_reference
from tests.api.conftest import token_for
from tests.changes.helpers import gen_change
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user
from tests.reviews.helpers import gen_review
from tests.sla_policy import seed_standard

STRANGER, REQUESTER, AGENT, ADMIN = "stranger", "requester", "agent", "admin"
ROLES = (STRANGER, REQUESTER, AGENT, ADMIN)
NOBODY: frozenset[str] = frozenset()
ANYONE = frozenset(ROLES)
REQUESTER_SIDE = frozenset({REQUESTER, AGENT, ADMIN})
AGENTS = frozenset({AGENT, ADMIN})


@dataclass
class World:
    """The people (with write tokens) and, per role's turn, a fresh incident."""

    people: dict[str, User]
    headers: dict[str, dict[str, str]]
    incident: Incident

    @property
    def agent(self) -> User:
        return self.people[AGENT]


Prepare = Callable[[World], dict[str, Any]]


def nothing(world: World) -> dict[str, Any]:
    return {}


def on_hold(world: World) -> dict[str, Any]:
    incidents.change_status(world.incident, world.agent, "on_hold", "awaiting_vendor")
    return {}


def resolved(world: World) -> dict[str, Any]:
    incidents.resolve(world.incident, world.agent, "fixed", "Replaced the toner.")
    return {}


def with_participant(world: World) -> dict[str, Any]:
    copied = gen_user("user")
    incidents.add_participant(world.incident, world.agent, copied)
    return {"email": copied.email}


def with_file(world: World) -> dict[str, Any]:
    file = NewAttachment("log.txt", "text/plain", b"E13")
    reply = incidents.add_reply(world.incident, world.incident.requester, "Log", attachments=[file])
    return {"attachment_id": reply.attachments[0].id}


def draft(world: World) -> dict[str, Any]:
    article = kb.create_article(world.agent, ArticleContent("VPN", "Connect the VPN."))
    return {"reference": article.id}


def published(world: World) -> dict[str, Any]:
    article = kb.create_article(world.agent, ArticleContent("Printer", "Load paper."))
    return {"reference": kb.publish_article(article, world.agent).id}


def person(world: World) -> dict[str, Any]:
    return {"person_id": world.incident.requester_id}


def a_change(world: World) -> dict[str, Any]:
    return {"reference": gen_change(world.agent, gen_service()).reference}


def first_change(world: World) -> dict[str, Any]:
    if db.session.scalar(select(Change.id).where(Change.reference == FIRST_CHANGE)) is None:
        gen_change(world.agent, gen_service())
    return {}


def caused(world: World) -> dict[str, Any]:
    changes.mark_caused_by(world.incident, gen_change(world.agent, gen_service()), world.agent)
    return {}


def opened_problem(world: World) -> Problem:
    return open_problem(world.agent, ProblemFields(title="VPN drops", workaround="Use TCP."))


def a_problem(world: World) -> dict[str, Any]:
    return {"reference": opened_problem(world).reference}


def first_problem(world: World) -> dict[str, Any]:
    opened_problem(world)  # for each role: the first of them is FIRST_PROBLEM
    return {}


def investigated(world: World) -> dict[str, Any]:
    problem = opened_problem(world)
    move(problem, world.agent, "investigating")
    return {"reference": problem.reference}


def linked_problem(world: World) -> dict[str, Any]:
    link_incident(opened_problem(world), world.agent, world.incident)
    return {}


def declared(world: World, incident: Incident) -> None:
    vpn = db.session.scalars(select(Service.id).where(Service.name == "VPN")).all()
    major_incidents.declare(incident, world.agent, "VPN outage", "Down.", vpn)


def major(world: World) -> dict[str, Any]:
    declared(world, world.incident)
    return {}


def major_with_free_child(world: World) -> dict[str, Any]:
    """Another of the requester's incidents declared major, and FIRST_INCIDENT (the first
    role's turn's incident, never major) detached from an earlier turn's major incident."""
    first = find_by_reference(FIRST_INCIDENT)
    if first is not None and first.parent is not None:
        earlier = majors.major_of(first.parent)
        major_incidents.detach_child(earlier, first, world.agent)
    other = gen_incident(world.people[REQUESTER], subject="VPN down")
    declared(world, other)
    return {"reference": other.reference}


def a_review(world: World) -> dict[str, Any]:
    review = gen_review(world.incident, with_action=True)
    return {"review_id": review.id, "action_id": review.actions[0].id}


def policy(world: World) -> dict[str, Any]:
    standard = db.session.scalar(select(SlaPolicy).where(SlaPolicy.name == "Standard"))
    return {"policy_id": (standard or seed_standard()).id}


@dataclass(frozen=True)
class Call:
    """Who may make one call, the state it needs and what it sends."""

    allowed: frozenset[str]
    prepare: Prepare = nothing
    json: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    files: bool = False


INCIDENT = "/api/v1/incidents/{reference}"
REVIEW = "/api/v1/reviews/{review_id}"
FIRST_INCIDENT = "INC-000001"
PROBLEM = "/api/v1/problems/{reference}"
FIRST_PROBLEM = "PRB-000001"
CHANGE = "/api/v1/changes/{reference}"
FIRST_CHANGE = "CHG-000001"
CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/api/v1/categories"): Call(ANYONE),
    ("GET", "/api/v1/services"): Call(ANYONE),
    ("GET", "/api/v1/teams"): Call(AGENTS),
    ("GET", "/api/v1/incidents"): Call(AGENTS, query={"queue": "open"}),
    ("POST", "/api/v1/incidents"): Call(ANYONE, json={"subject": "VPN", "description": "Down"}),
    ("GET", INCIDENT): Call(REQUESTER_SIDE),
    ("POST", INCIDENT + "/replies"): Call(REQUESTER_SIDE, json={"body": "Any news?"}),
    ("POST", INCIDENT + "/notes"): Call(AGENTS, json={"body": "Toner low."}),
    ("POST", INCIDENT + "/classification"): Call(
        AGENTS, json={"impact": "low", "urgency": "high", "category": "Printing"}
    ),
    ("POST", INCIDENT + "/assignment"): Call(AGENTS, json={"team": "Network"}),
    ("POST", INCIDENT + "/actions/escalate"): Call(
        AGENTS, json={"reason": "Needs the network team.", "team": "Network"}
    ),
    ("POST", INCIDENT + "/actions/take"): Call(AGENTS),
    ("POST", INCIDENT + "/actions/hold"): Call(AGENTS, json={"reason": "awaiting_vendor"}),
    ("POST", INCIDENT + "/actions/resume"): Call(AGENTS, on_hold),
    ("POST", INCIDENT + "/actions/resolve"): Call(
        AGENTS, json={"code": "fixed", "notes": "Replaced the toner."}
    ),
    ("POST", INCIDENT + "/actions/reopen"): Call(AGENTS, resolved, json={"reason": "Back."}),
    ("POST", INCIDENT + "/actions/close"): Call(AGENTS, resolved),
    ("POST", INCIDENT + "/actions/cancel"): Call(
        REQUESTER_SIDE, json={"reason": "Reported twice."}
    ),
    ("POST", INCIDENT + "/actions/confirm"): Call(frozenset({REQUESTER}), resolved),
    ("POST", INCIDENT + "/actions/reject"): Call(
        frozenset({REQUESTER}), resolved, json={"comment": "Still jams."}
    ),
    ("GET", INCIDENT + "/participants"): Call(AGENTS),
    ("POST", INCIDENT + "/participants"): Call(AGENTS, json={"email": "boss@example.org"}),
    ("DELETE", INCIDENT + "/participants/{email}"): Call(AGENTS, with_participant),
    ("POST", INCIDENT + "/attachments"): Call(REQUESTER_SIDE, files=True),
    ("GET", INCIDENT + "/attachments/{attachment_id}"): Call(REQUESTER_SIDE, with_file),
    ("GET", "/api/v1/major-incidents"): Call(ANYONE),
    ("POST", INCIDENT + "/major"): Call(
        AGENTS, json={"public_title": "VPN outage", "public_summary": "Down.", "services": ["VPN"]}
    ),
    ("POST", INCIDENT + "/major/resolve"): Call(
        AGENTS, major, json={"notes": "Fixed.", "public_message": "Back."}
    ),
    ("GET", INCIDENT + "/children"): Call(AGENTS, major),
    ("POST", INCIDENT + "/children"): Call(
        AGENTS, major_with_free_child, json={"reference": FIRST_INCIDENT}
    ),
    ("GET", INCIDENT + "/subscribers"): Call(AGENTS, major),
    ("POST", INCIDENT + "/subscribers"): Call(ANYONE, major, json={}),
    ("GET", INCIDENT + "/updates"): Call(ANYONE, major),
    ("POST", INCIDENT + "/updates"): Call(
        AGENTS, major, json={"phase": "identified", "body": "Found."}
    ),
    ("GET", "/api/v1/kb/articles"): Call(ANYONE, query={"q": "printer"}),
    ("POST", "/api/v1/kb/articles"): Call(AGENTS, json={"title": "VPN", "body": "Connect."}),
    ("GET", "/api/v1/kb/articles/{reference}"): Call(ANYONE, published),
    ("PATCH", "/api/v1/kb/articles/{reference}"): Call(AGENTS, draft, json={"title": "VPN 2"}),
    ("POST", "/api/v1/kb/articles/{reference}/publish"): Call(AGENTS, draft, json={}),
    ("POST", "/api/v1/kb/articles/{reference}/unpublish"): Call(AGENTS, published, json={}),
    ("POST", "/api/v1/kb/articles/{reference}/archive"): Call(
        frozenset({ADMIN}), published, json={}
    ),
    ("GET", "/api/v1/people"): Call(AGENTS, query={"q": "user"}),
    ("POST", "/api/v1/people"): Call(AGENTS, json={"email": "new@example.org", "name": "New"}),
    ("GET", "/api/v1/people/{person_id}"): Call(AGENTS, person),
    ("GET", "/api/v1/changes"): Call(AGENTS, query={"q": "VPN"}),
    ("POST", "/api/v1/changes"): Call(
        AGENTS,
        json={
            "title": "Upgrade the VPN",
            "services": ["VPN"],
            "planned_start": "2026-12-01T22:00:00Z",
            "planned_end": "2026-12-01T23:00:00Z",
        },
    ),
    ("GET", CHANGE): Call(AGENTS, a_change),
    ("PATCH", CHANGE): Call(AGENTS, a_change, json={"title": "Upgrade the VPN again"}),
    ("GET", CHANGE + "/incidents"): Call(AGENTS, a_change),
    ("POST", INCIDENT + "/change"): Call(AGENTS, first_change, json={"change": FIRST_CHANGE}),
    ("DELETE", INCIDENT + "/change"): Call(AGENTS, caused),
    ("GET", "/api/v1/problems"): Call(AGENTS, query={"status": "new", "q": "VPN"}),
    ("POST", "/api/v1/problems"): Call(AGENTS, json={"title": "VPN drops", "services": ["VPN"]}),
    ("GET", PROBLEM): Call(AGENTS, a_problem),
    ("PATCH", PROBLEM): Call(AGENTS, a_problem, json={"title": "VPN drops hourly"}),
    ("POST", PROBLEM + "/resolve"): Call(AGENTS, investigated, json={"fix": "Firmware 9.1."}),
    ("POST", INCIDENT + "/problem"): Call(AGENTS, first_problem, json={"problem": FIRST_PROBLEM}),
    ("DELETE", INCIDENT + "/problem"): Call(AGENTS, linked_problem),
    ("POST", INCIDENT + "/problem/workaround"): Call(AGENTS, linked_problem),
    ("GET", "/api/v1/reviews"): Call(AGENTS, query={"state": "draft"}),
    # The reports: admins, and agents given the report role (the agent here has none).
    ("GET", "/api/v1/reports/kpis"): Call(
        frozenset({ADMIN}), query={"from": "2026-11-01", "to": "2026-11-30"}
    ),
    ("GET", REVIEW): Call(AGENTS, a_review),
    ("PATCH", REVIEW): Call(AGENTS, a_review, json={"summary": "VPN down."}),
    ("GET", REVIEW + "/timeline"): Call(AGENTS, a_review),
    ("GET", REVIEW + "/markdown"): Call(AGENTS, a_review),
    ("POST", REVIEW + "/actions"): Call(AGENTS, a_review, json={"title": "Renew in time"}),
    ("PATCH", REVIEW + "/actions/{action_id}"): Call(AGENTS, a_review, json={"status": "done"}),
    ("GET", "/api/v1/sla/policies"): Call(AGENTS),
    ("GET", "/api/v1/sla/policies/{policy_id}"): Call(AGENTS, policy),
    # Write tokens never post alerts: that takes an alerts token (tests/api/test_alerts.py).
    ("POST", "/api/v1/alerts/alertmanager"): Call(NOBODY, json={"version": "4"}),
    ("POST", "/api/v1/alerts/events"): Call(NOBODY, json={"event_action": "trigger"}),
}


def documented(app: Flask) -> set[tuple[str, str]]:
    """Every (method, path) of the API's document."""
    with app.test_request_context():
        paths = document()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_operation_has_its_authorization_row(app: Flask):
    assert documented(app) == set(CALLS)


def _world(people: dict[str, User], headers: dict[str, dict[str, str]]) -> World:
    """A fresh incident of the requester's, so each role acts on an untouched one."""
    return World(people, headers, gen_incident(people[REQUESTER], subject="Printer jams"))


def _send(api: FlaskClient, method: str, path: str, call: Call, world: World, role: str):
    values = {"reference": world.incident.reference, **call.prepare(world)}
    url = path.format(**values)
    headers = world.headers[role]
    if call.files:
        data = {"files": (io.BytesIO(b"E13"), "log.txt"), "body": "The log."}
        return api.open(url, method=method, headers=headers, data=data)
    return api.open(url, method=method, headers=headers, json=call.json, query_string=call.query)


@pytest.mark.parametrize(("method", "path"), sorted(CALLS), ids=lambda part: str(part))
def test_each_role_is_let_through_exactly_where_the_web_lets_it(
    app: Flask, api: FlaskClient, method: str, path: str
):
    gen_category("Printing"), gen_service("VPN"), gen_team("Network")
    people = {
        STRANGER: gen_user("user"),
        REQUESTER: gen_user("user"),
        AGENT: gen_user("agent"),
        ADMIN: gen_user("admin"),
    }
    headers = {role: token_for(person) for role, person in people.items()}
    call = CALLS[(method, path)]
    for role in ROLES:
        answer = _send(api, method, path, call, _world(people, headers), role)
        if role in call.allowed:
            assert answer.status_code < 300, (role, answer.status_code, answer.get_json())
        else:
            assert answer.status_code in (403, 404), (role, answer.status_code, answer.get_json())
            assert answer.mimetype == "application/problem+json"
