"""The allowed-actions policy, pure: every role in every state, without Flask or a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk import lifecycle
from helpdesk.permissions import (
    CONSOLE_ACTIONS,
    PORTAL_ACTIONS,
    Action,
    IncidentFacts,
    ViewerFacts,
    allowed_actions,
    plain_status_targets,
    refusal,
)

A = Action
AGENT = ViewerFacts(is_agent=True)
REQUESTER = ViewerFacts(is_agent=False, is_requester=True)
PARTICIPANT = ViewerFacts(is_agent=False, is_participant=True)
STRANGER = ViewerFacts(is_agent=False)

STATES = {
    "new": IncidentFacts(lifecycle.NEW),
    "assigned": IncidentFacts(lifecycle.ASSIGNED),
    "in_progress": IncidentFacts(lifecycle.IN_PROGRESS),
    "on_hold": IncidentFacts(lifecycle.ON_HOLD),
    "resolved": IncidentFacts(lifecycle.RESOLVED),
    "resolved_long_ago": IncidentFacts(lifecycle.RESOLVED, reopen_window_open=False),
    "closed": IncidentFacts(lifecycle.CLOSED),
    "cancelled": IncidentFacts(lifecycle.CANCELLED),
    "merged": IncidentFacts(lifecycle.CLOSED, merged_into="INC-000002"),
}

WORKING = {A.NOTE, A.LINK, A.ADD_PARTICIPANT, A.REMOVE_PARTICIPANT, A.CHANGE_REQUESTER}
LIVE = WORKING | {A.REPLY, A.ASSIGN, A.TAKE_OWNERSHIP, A.CLASSIFY, A.CHANGE_STATUS, A.MERGE}
OPEN_AGENT = LIVE | {A.RESOLVE, A.CANCEL, A.ESCALATE}
EXPECTED = {
    # state: (agent, requester, participant); strangers may do nothing anywhere.
    "new": (OPEN_AGENT, {A.REPLY, A.WITHDRAW, A.SELF_RESOLVE}, {A.REPLY}),
    "assigned": (OPEN_AGENT, {A.REPLY, A.WITHDRAW, A.SELF_RESOLVE}, {A.REPLY}),
    "in_progress": (OPEN_AGENT, {A.REPLY, A.WITHDRAW, A.SELF_RESOLVE}, {A.REPLY}),
    "on_hold": (OPEN_AGENT, {A.REPLY, A.WITHDRAW, A.SELF_RESOLVE}, {A.REPLY}),
    "resolved": (LIVE, {A.REPLY, A.CONFIRM, A.REJECT, A.RATE}, {A.REPLY, A.CONFIRM, A.REJECT}),
    "resolved_long_ago": (LIVE, {A.CONFIRM, A.REJECT, A.RATE}, {A.CONFIRM, A.REJECT}),
    "closed": (WORKING, {A.RATE}, set()),
    "cancelled": (WORKING, set(), set()),
    "merged": ({A.NOTE, A.LINK, A.REMOVE_PARTICIPANT}, set(), set()),
}


@pytest.mark.parametrize("state", STATES)
def test_every_role_in_every_state(state):
    facts = STATES[state]
    agent, requester, participant = EXPECTED[state]
    assert allowed_actions(AGENT, facts) == agent
    assert allowed_actions(REQUESTER, facts) == requester
    assert allowed_actions(PARTICIPANT, facts) == participant
    assert allowed_actions(STRANGER, facts) == frozenset()


@pytest.mark.parametrize(
    ("action", "viewer", "state", "sentence", "by_role"),
    [
        (A.NOTE, REQUESTER, "new", "Only agents can do that.", True),
        (A.REPLY, STRANGER, "new", "You can only act on your own incidents.", True),
        (A.REPLY, REQUESTER, "merged", "This incident was merged into INC-000002.", False),
        (A.REPLY, AGENT, "cancelled", "This incident is closed. Please report a new", False),
        (A.REPLY, PARTICIPANT, "resolved_long_ago", "resolved too long ago to reopen", False),
        (A.CONFIRM, AGENT, "resolved", "Only the people on this incident can confirm", True),
        (
            A.REJECT,
            REQUESTER,
            "closed",
            "This incident is not waiting for your confirmation.",
            False,
        ),
        (A.RATE, PARTICIPANT, "closed", "Only the person who reported the incident can rate", True),
        (A.RATE, REQUESTER, "in_progress", "You can rate an incident once it is resolved.", False),
        (A.WITHDRAW, REQUESTER, "resolved", "no longer open, so it cannot be withdrawn", False),
        (A.SELF_RESOLVE, REQUESTER, "merged", "This incident is no longer open.", False),
        (A.ASSIGN, AGENT, "closed", "A closed or cancelled incident cannot be reassigned.", False),
        (A.RESOLVE, AGENT, "closed", "An incident that is closed cannot become resolved.", False),
        (A.CANCEL, AGENT, "resolved", "resolved cannot become cancelled.", False),
        (A.MERGE, AGENT, "cancelled", "INC-000000 is already closed or merged.", False),
        (A.ADD_PARTICIPANT, AGENT, "merged", "merged into INC-000002: change the people", False),
        (
            A.CHANGE_STATUS,
            AGENT,
            "closed",
            "An incident that is closed cannot change status.",
            False,
        ),
    ],
)
def test_refusals_say_why_in_the_services_words(action, viewer, state, sentence, by_role):
    refused = refusal(action, viewer, STATES[state])
    assert refused is not None
    assert refused.sentence.startswith(sentence) or sentence in refused.sentence
    assert refused.by_role is by_role


@pytest.mark.parametrize(
    ("target", "sentence"),
    [
        (lifecycle.RESOLVED, "To set that status, resolve it with a resolution code and notes."),
        (lifecycle.CANCELLED, "To set that status, cancel it with a reason."),
        (lifecycle.CLOSED, "An incident that is new cannot become closed."),
        ("lost", "Unknown status 'lost'."),
    ],
)
def test_a_status_change_names_what_is_wrong_with_its_target(target, sentence):
    refused = refusal(A.CHANGE_STATUS, AGENT, STATES["new"], target)
    assert refused is not None and refused.sentence == sentence


def test_the_pages_split_the_actions_between_them():
    on_both = PORTAL_ACTIONS & CONSOLE_ACTIONS
    on_neither = set(Action) - PORTAL_ACTIONS - CONSOLE_ACTIONS
    assert on_both == {A.REPLY}
    assert on_neither == {A.SELF_RESOLVE}  # offered by the knowledge base's "this helped"


viewers = st.builds(ViewerFacts, st.booleans(), st.booleans(), st.booleans())
unmerged = st.builds(
    IncidentFacts,
    st.sampled_from(lifecycle.STATUSES),
    st.just("INC-000001"),
    st.none(),
    st.booleans(),
)
# Merging closes the duplicate, so a merged incident is always closed.
incidents = unmerged | st.builds(
    IncidentFacts, st.just(lifecycle.CLOSED), st.just("INC-000001"), st.just("INC-000002")
)


@given(viewers, incidents, viewers)
def test_more_roles_never_take_an_action_away(viewer, incident, other):
    both = ViewerFacts(
        viewer.is_agent or other.is_agent,
        viewer.is_requester or other.is_requester,
        viewer.is_participant or other.is_participant,
    )
    assert allowed_actions(viewer, incident) <= allowed_actions(both, incident)


def _by_role(action: Action, viewer: ViewerFacts, incident: IncidentFacts) -> bool:
    refused = refusal(action, viewer, incident)
    return refused is not None and refused.by_role


@given(viewers, incidents, incidents)
def test_who_may_act_does_not_depend_on_where_the_incident_stands(viewer, one, other):
    for action in Action:
        assert _by_role(action, viewer, one) == _by_role(action, viewer, other)


@given(viewers, incidents)
def test_a_finished_incident_takes_only_bookkeeping_and_a_rating(viewer, incident):
    if incident.finished:
        assert allowed_actions(viewer, incident) <= WORKING | {A.RATE}


@given(incidents)
def test_change_status_is_offered_exactly_when_some_target_is_accepted(incident):
    offered = A.CHANGE_STATUS in allowed_actions(AGENT, incident)
    accepted = [
        target
        for target in lifecycle.STATUSES
        if refusal(A.CHANGE_STATUS, AGENT, incident, target) is None
    ]
    assert offered == bool(accepted)
    assert accepted == plain_status_targets(incident.status)


@given(viewers, incidents, st.sampled_from(list(Action)))
def test_every_refusal_is_a_sentence(viewer, incident, action):
    refused = refusal(action, viewer, incident)
    assert refused is None or (refused.sentence[0].isupper() and refused.sentence.endswith("."))
