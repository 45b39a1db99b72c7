"""The pages and the services agree, through the one policy (helpdesk.permissions).

For an incident in every state and every kind of viewer, the forms the console and the
portal show are exactly the policy's actions for that page, and the service layer accepts
exactly the policy's actions, refusing the others with the policy's sentence and class.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from helpdesk import incidents, lifecycle
from helpdesk.extensions import db
from helpdesk.incidents import escalation, guard
from helpdesk.models import Incident, Team, User, utcnow
from helpdesk.permissions import (
    CONSOLE_ACTIONS,
    PORTAL_ACTIONS,
    Action,
    plain_status_targets,
    refusal,
)
from tests.factories import gen_incident, gen_team, gen_user

STATES = (
    "new",
    "assigned",
    "in_progress",
    "on_hold",
    "resolved",
    "resolved_long_ago",
    "closed",
    "cancelled",
    "merged",
)

# Which action each form on the pages posts to, by the end of its URL.
CONSOLE_FORMS = {
    r"reply": Action.REPLY,
    r"note": Action.NOTE,
    r"assign": Action.ASSIGN,
    r"escalate": Action.ESCALATE,
    r"take-ownership": Action.TAKE_OWNERSHIP,
    r"classify": Action.CLASSIFY,
    r"status": Action.CHANGE_STATUS,
    r"resolve": Action.RESOLVE,
    r"cancel": Action.CANCEL,
    r"merge": Action.MERGE,
    r"links(/[^/]+/delete)?": Action.LINK,
    r"participants": Action.ADD_PARTICIPANT,
    r"participants/\d+/delete": Action.REMOVE_PARTICIPANT,
    r"requester": Action.CHANGE_REQUESTER,
}
PORTAL_FORMS = {action.value: action for action in PORTAL_ACTIONS}
# Forms about the records around an incident (its major incident, problem, causing change):
# agents' work that their own services check (tests/major_incidents, problems, changes),
# not actions on the incident in the policy.
AROUND = r"(major|problem|change)(/.*)?"


@dataclass
class Desk:
    """The people around one incident, and a team to assign it to."""

    agent: User
    requester: User
    participant: User
    stranger: User
    team: Team

    def viewers(self) -> dict[str, User]:
        """Everyone who might act on the incident, by role."""
        return {
            "agent": self.agent,
            "requester": self.requester,
            "participant": self.participant,
            "stranger": self.stranger,
        }


@pytest.fixture
def desk(app) -> Desk:
    agent = gen_user("agent")
    return Desk(agent, gen_user(), gen_user(), gen_user(), gen_team(members=[agent]))


def build(state: str, desk: Desk) -> Incident:
    """A new incident of the desk's requester, with a participant, brought to `state`."""
    incident = gen_incident(desk.requester)
    incidents.add_participant(incident, desk.agent, desk.participant)
    agent = desk.agent
    if state == "assigned":
        incidents.assign(incident, agent, desk.team.id, None)
    elif state in ("in_progress", "on_hold"):
        incidents.change_status(incident, agent, state, "awaiting_vendor")
    elif state in ("resolved", "resolved_long_ago", "closed"):
        incidents.resolve(incident, agent, "fixed", "Replaced the toner.")
    elif state == "cancelled":
        incidents.cancel(incident, agent, "Raised in error.")
    elif state == "merged":
        incidents.merge(incident, agent, gen_incident())
    if state == "resolved_long_ago":
        incident.resolved_at = utcnow() - timedelta(days=60)
        db.session.commit()
    if state == "closed":
        incidents.confirm_resolution(incident, desk.requester)
    return incident


def offered_by(html: str, prefix: str, forms: dict[str, Action]) -> set[Action]:
    """The actions of the forms on a page that post to the incident under `prefix`."""
    found = set()
    for url in re.findall(r'<form[^>]*action="([^"]*)"', html):
        if not url.startswith(prefix):
            continue
        rest = url.removeprefix(prefix)
        if re.fullmatch(AROUND, rest):
            continue
        matches = [action for pattern, action in forms.items() if re.fullmatch(pattern, rest)]
        assert len(matches) == 1, f"no single action for the form posting to {url}"
        found.add(matches[0])
    return found


@dataclass(frozen=True)
class Article:
    """A help article, as far as self-service needs one."""

    id: int
    title: str


def status_target(incident: Incident) -> str:
    """The status a status change asks for: one it can reach if there is any."""
    return (plain_status_targets(incident.status) or [lifecycle.IN_PROGRESS])[0]


def attempt(action: Action, incident: Incident, actor: User, desk: Desk) -> None:
    """Call the service function behind `action` with input it would accept."""
    target = status_target(incident)
    calls: dict[Action, Callable[[], object]] = {
        Action.REPLY: lambda: incidents.add_reply(incident, actor, "Any news?"),
        Action.NOTE: lambda: incidents.add_note(incident, actor, "Checked the queue."),
        Action.CONFIRM: lambda: incidents.confirm_resolution(incident, actor),
        Action.REJECT: lambda: incidents.reject_resolution(incident, actor, "Still jams."),
        Action.RATE: lambda: incidents.rate(incident, actor, 4),
        Action.WITHDRAW: lambda: incidents.withdraw(incident, actor),
        Action.SELF_RESOLVE: lambda: incidents.resolve_by_requester(
            incident, actor, Article(1, "Clearing a paper jam")
        ),
        Action.ASSIGN: lambda: incidents.assign(incident, actor, desk.team.id, None),
        Action.ESCALATE: lambda: escalation.escalate(
            incident, actor, "Needs tier 2.", gen_team().id
        ),
        Action.TAKE_OWNERSHIP: lambda: incidents.take_ownership(incident, actor),
        Action.CLASSIFY: lambda: incidents.classify(
            incident, actor, incidents.Classification("low", "low")
        ),
        Action.CHANGE_STATUS: lambda: incidents.change_status(
            incident, actor, target, "awaiting_vendor"
        ),
        Action.RESOLVE: lambda: incidents.resolve(incident, actor, "fixed", "Cleaned it."),
        Action.CANCEL: lambda: incidents.cancel(incident, actor, "A duplicate report."),
        Action.MERGE: lambda: incidents.merge(incident, actor, gen_incident()),
        Action.LINK: lambda: incidents.link(incident, actor, gen_incident()),
        Action.ADD_PARTICIPANT: lambda: incidents.add_participant(incident, actor, gen_user()),
        Action.REMOVE_PARTICIPANT: lambda: incidents.remove_participant(
            incident, actor, desk.participant
        ),
        Action.CHANGE_REQUESTER: lambda: incidents.change_requester(incident, actor, gen_user()),
    }
    calls[action]()


@pytest.mark.parametrize("state", STATES)
def test_the_console_offers_what_the_policy_allows(client, auth, desk, state):
    incident = build(state, desk)
    auth.login(desk.agent.email)
    html = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    prefix = f"/agent/incidents/{incident.reference}/"
    expected = guard.actions_for(desk.agent, incident) & CONSOLE_ACTIONS
    assert offered_by(html, prefix, CONSOLE_FORMS) == expected


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["requester", "participant"])
def test_the_portal_offers_what_the_policy_allows(client, auth, desk, state, role):
    incident = build(state, desk)
    person = desk.viewers()[role]
    auth.login(person.email)
    html = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    prefix = f"/my/incidents/{incident.reference}/"
    expected = guard.actions_for(person, incident) & PORTAL_ACTIONS
    assert offered_by(html, prefix, PORTAL_FORMS) == expected


@pytest.mark.parametrize("state", STATES)
def test_the_services_accept_exactly_what_the_policy_allows(desk, state):
    for role, actor in desk.viewers().items():
        incident = build(state, desk)
        for action in Action:
            allowed = action in guard.actions_for(actor, incident)
            try:
                attempt(action, incident, actor, desk)
            except incidents.DomainError as error:
                assert not allowed, f"{role} was refused {action} on a {state} incident: {error}"
                _assert_policy_words(error, action, actor, incident)
            else:
                assert allowed, f"{role} could {action} on a {state} incident"
                incident = build(state, desk)  # the action changed it


def _assert_policy_words(
    error: incidents.DomainError, action: Action, actor: User, incident: Incident
) -> None:
    """The service refused with the policy's sentence and the class that matches it."""
    viewer, facts = guard.viewer_facts(actor, incident), guard.incident_facts(incident)
    target = status_target(incident) if action is Action.CHANGE_STATUS else None
    refused = refusal(action, viewer, facts, target)
    assert refused is not None and str(error) == refused.sentence
    wanted = incidents.NotAllowed if refused.by_role else incidents.InvalidInput
    assert type(error) is wanted
