"""Classification: matrix priority, overrides with reasons, SLA recalculation."""

import pytest

from helpdesk import incidents
from helpdesk.incidents import Classification
from tests.factories import gen_category, gen_incident, gen_user
from tests.sla_policy import seed_standard


def test_priority_follows_matrix_and_sla_recalculates(app):
    seed_standard()
    agent, incident = gen_user("agent"), gen_incident()
    old_due = incident.resolution_due_at
    incidents.classify(incident, agent, Classification(impact="high", urgency="high"))
    assert incident.priority == 1
    assert incident.resolution_due_at < old_due


def test_override_needs_reason(app):
    agent, incident = gen_user("agent"), gen_incident()
    with pytest.raises(incidents.InvalidInput, match="reason for overriding"):
        incidents.classify(incident, agent, Classification("low", "low", override_priority=2))
    incidents.classify(
        incident,
        agent,
        Classification("low", "low", override_priority=2, override_reason="CEO's laptop"),
    )
    assert (incident.priority, incident.priority_override_reason) == (2, "CEO's laptop")


def test_override_equal_to_matrix_is_no_override(app):
    agent, incident = gen_user("agent"), gen_incident()
    incidents.classify(incident, agent, Classification("low", "low", override_priority=5))
    assert incident.priority_override_reason is None


def test_retired_category_kept_but_not_newly_chosen(app):
    agent = gen_user("agent")
    old = gen_category("Old")
    incident = gen_incident(category_id=old.id)
    old.active = False
    incidents.classify(incident, agent, Classification("low", "medium", category_id=old.id))
    assert incident.category == old
    other = gen_incident()
    with pytest.raises(incidents.InvalidInput, match="retired"):
        incidents.classify(other, agent, Classification("low", "medium", category_id=old.id))


def test_users_cannot_classify(app):
    requester = gen_user()
    with pytest.raises(incidents.NotAllowed):
        incidents.classify(gen_incident(requester), requester, Classification("high", "high"))
