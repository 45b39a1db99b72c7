"""Only agents (and admins) reach the console: users get 403 on every route, visitors the
login page, and nothing changes on the way."""

import pytest
from sqlalchemy import func, select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent
from tests.factories import gen_incident, gen_user

# One request per console route: endpoint -> (method, path with {ref} and {other}).
ROUTES = {
    "agent.queue": ("GET", "/agent/queues/mine"),
    "agent.incident": ("GET", "/agent/incidents/{ref}"),
    "agent.reply": ("POST", "/agent/incidents/{ref}/reply"),
    "agent.note": ("POST", "/agent/incidents/{ref}/note"),
    "agent.assign": ("POST", "/agent/incidents/{ref}/assign"),
    "agent.escalate": ("POST", "/agent/incidents/{ref}/escalate"),
    "agent.notice_list": ("GET", "/agent/notices"),
    "agent.read_notice": ("POST", "/agent/notices/1/read"),
    "agent.read_all_notices": ("POST", "/agent/notices/read"),
    "agent.take_ownership": ("POST", "/agent/incidents/{ref}/take-ownership"),
    "agent.classify": ("POST", "/agent/incidents/{ref}/classify"),
    "agent.change_status": ("POST", "/agent/incidents/{ref}/status"),
    "agent.resolve": ("POST", "/agent/incidents/{ref}/resolve"),
    "agent.cancel": ("POST", "/agent/incidents/{ref}/cancel"),
    "agent.link": ("POST", "/agent/incidents/{ref}/links"),
    "agent.unlink": ("POST", "/agent/incidents/{ref}/links/{other}/delete"),
    "agent.merge": ("POST", "/agent/incidents/{ref}/merge"),
    "agent.mark_reviewed": ("POST", "/agent/incidents/{ref}/messages/1/reviewed"),
    "agent.people": ("GET", "/agent/people?q=user"),
    "agent.new_incident": ("POST", "/agent/incidents/new"),
    "agent.add_participant": ("POST", "/agent/incidents/{ref}/participants"),
    "agent.remove_participant": ("POST", "/agent/incidents/{ref}/participants/1/delete"),
    "agent.change_requester": ("POST", "/agent/incidents/{ref}/requester"),
    "agent.message_original": ("GET", "/agent/incidents/{ref}/messages/1/original.eml"),
    "agent.message_formatted": ("GET", "/agent/incidents/{ref}/messages/1/formatted"),
    "agent.major_incident_list": ("GET", "/agent/major-incidents"),
    "agent.declare_major": ("POST", "/agent/incidents/{ref}/major"),
    "agent.attach_child": ("POST", "/agent/incidents/{ref}/major/children"),
    "agent.detach_child": ("POST", "/agent/incidents/{ref}/major/children/{other}/delete"),
    "agent.post_update": ("POST", "/agent/incidents/{ref}/major/updates"),
    "agent.resolve_major": ("POST", "/agent/incidents/{ref}/major/resolve"),
    "agent.change_index": ("GET", "/agent/changes"),
    "agent.new_change": ("POST", "/agent/changes/new"),
    "agent.change_page": ("GET", "/agent/changes/CHG-000001"),
    "agent.edit_change": ("POST", "/agent/changes/CHG-000001/edit"),
    "agent.move_change": ("POST", "/agent/changes/CHG-000001/status/cancelled"),
    "agent.mark_cause": ("POST", "/agent/incidents/{ref}/change"),
    "agent.clear_cause": ("POST", "/agent/incidents/{ref}/change/clear"),
    "agent.problem_list": ("GET", "/agent/problems"),
    "agent.new_problem": ("POST", "/agent/problems/new"),
    "agent.problem": ("GET", "/agent/problems/PRB-000001"),
    "agent.edit_problem": ("POST", "/agent/problems/PRB-000001/edit"),
    "agent.move_problem": ("POST", "/agent/problems/PRB-000001/status"),
    "agent.resolve_problem": ("POST", "/agent/problems/PRB-000001/resolve"),
    "agent.resolve_problem_incidents": ("POST", "/agent/problems/PRB-000001/resolve-incidents"),
    "agent.link_problem_incident": ("POST", "/agent/problems/PRB-000001/incidents"),
    "agent.unlink_problem_incident": (
        "POST",
        "/agent/problems/PRB-000001/incidents/{ref}/unlink",
    ),
    "agent.link_problem_change": ("POST", "/agent/problems/PRB-000001/change"),
    "agent.link_problem": ("POST", "/agent/incidents/{ref}/problem"),
    "agent.unlink_problem": ("POST", "/agent/incidents/{ref}/problem/unlink"),
    "agent.open_problem_from_incident": ("POST", "/agent/incidents/{ref}/problem/open"),
    "agent.open_problem_from_hint": ("POST", "/agent/incidents/{ref}/problem/hint"),
    "agent.send_workaround": ("POST", "/agent/incidents/{ref}/problem/workaround"),
    "agent.review_list": ("GET", "/agent/reviews"),
    "agent.review": ("GET", "/agent/reviews/1"),
    "agent.review_markdown": ("GET", "/agent/reviews/1/review.md"),
    "agent.edit_review": ("POST", "/agent/reviews/1/edit"),
    "agent.move_review": ("POST", "/agent/reviews/1/status"),
    "agent.add_review_action": ("POST", "/agent/reviews/1/actions"),
    "agent.edit_review_action": ("POST", "/agent/reviews/1/actions/1"),
    "agent.review_action_status": ("POST", "/agent/reviews/1/actions/1/status"),
    "agent.review_action_problem": ("POST", "/agent/reviews/1/actions/1/problem"),
    "agent.review_action_change": ("POST", "/agent/reviews/1/actions/1/change"),
}
# What each POST would carry if it were allowed, so a 403 is not an empty form's doing.
DATA = {
    "reply-body": "hello",
    "note-body": "hello",
    "status-target": "in_progress",
    "resolve-code": "fixed",
    "resolve-notes": "done",
    "cancel-reason": "spam",
    "escalate-reason": "needs tier 2",
    "classify-impact": "high",
    "classify-urgency": "high",
    "requester": "someone.new@example.org",
    "new_email": "someone.new@example.org",
    "channel": "phone",
    "subject": "Printer",
    "description": "jammed",
    "participant-person": "someone.new@example.org",
    "requester-person": "someone.new@example.org",
}


@pytest.fixture
def pair(app):
    """Two incidents reported by an end user, linked so that unlink has something to do."""
    user = gen_user()
    first, second = gen_incident(user), gen_incident(user)
    incidents.link(first, gen_user("agent"), second)
    return user, first, second


def request(client, endpoint, first, second):
    """Send the request for one console route."""
    method, path = ROUTES[endpoint]
    path = path.format(ref=first.reference, other=second.reference)
    return client.open(path, method=method, data=DATA | {"link-reference": second.reference})


def audit_count() -> int:
    """How many audit events exist."""
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_every_console_route_is_covered(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("agent.")
    }
    assert endpoints == set(ROUTES)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_end_user_gets_403(client, auth, pair, endpoint):
    user, first, second = pair
    auth.login(user.email)
    before = audit_count()
    assert request(client, endpoint, first, second).status_code == 403
    assert audit_count() == before


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_visitor_is_sent_to_login(client, pair, endpoint):
    _, first, second = pair
    before = audit_count()
    response = request(client, endpoint, first, second)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert audit_count() == before


def test_admins_work_the_console_too(client, auth, pair):
    _, first, _ = pair
    auth.login(gen_user("admin").email)
    assert client.get("/agent/queues/open").status_code == 200
    assert client.get(f"/agent/incidents/{first.reference}").status_code == 200
