"""Incidents linked to a problem (audited on both), the workaround shown on each and sent to
one requester as a public reply, and the linked change."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import problems
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.models import REPLY, AuditEvent, Change, Incident, Message, OutboundEmail, User
from helpdesk.models.audit import INCIDENT
from helpdesk.models.problem import Problem
from tests.factories import gen_incident, gen_user
from tests.problems.conftest import known_error


def incident_actions(incident: Incident) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    return list(db.session.scalars(query))


def test_linking_is_audited_on_both(problem: Problem, agent: User) -> None:
    incident = gen_incident(subject="VPN drops")
    problems.link_incident(problem, agent, incident)
    assert incident.problem_id == problem.id
    assert "problem_linked" in incident_actions(incident)
    problems.unlink_incident(incident, agent)
    assert incident.problem_id is None
    assert "problem_unlinked" in incident_actions(incident)


def test_moving_an_incident_to_another_problem(problem: Problem, agent: User) -> None:
    other = problems.open_problem(agent, problems.ProblemFields(title="DNS"))
    incident = gen_incident()
    problems.link_incident(problem, agent, incident)
    problems.link_incident(other, agent, incident)
    assert incident.problem_id == other.id
    unlinked = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident_unlinked")
    ).one()
    assert (unlinked.subject_id, unlinked.details["reference"]) == (problem.id, incident.reference)


def test_only_agents_link(problem: Problem) -> None:
    requester = gen_user("user")
    incident = gen_incident(requester)
    with pytest.raises(NotAllowed):
        problems.link_incident(problem, requester, incident)


def test_a_closed_problem_takes_no_incidents(problem: Problem, agent: User) -> None:
    problems.move(problem, agent, "investigating")
    problems.resolve(problem, agent, "Patched.")
    problems.move(problem, agent, "closed")
    with pytest.raises(InvalidInput, match="is closed: link the incident to a problem still"):
        problems.link_incident(problem, agent, gen_incident())


def test_unlinking_an_unlinked_incident_is_refused(agent: User) -> None:
    with pytest.raises(InvalidInput, match="is not linked to a problem"):
        problems.unlink_incident(gen_incident(), agent)


def test_the_workaround_shows_on_three_incidents_and_goes_to_one_requester(
    client: FlaskClient, auth, problem: Problem, agent: User
) -> None:
    known_error(problem, agent, "Connect with the TCP profile until the patch.")
    requesters = [gen_user("user") for _ in range(3)]
    linked = [gen_incident(person, subject="VPN keeps dropping") for person in requesters]
    for incident in linked:
        problems.link_incident(problem, agent, incident)
    auth.login(agent.email)
    for incident in linked:
        page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
        assert problem.reference in page
        assert "Connect with the TCP profile until the patch." in page
        assert "Send workaround to requester" in page

    before = db.session.scalar(select(db.func.max(OutboundEmail.id))) or 0
    answer = client.post(f"/agent/incidents/{linked[1].reference}/problem/workaround")
    assert answer.status_code == 302

    reply = db.session.scalars(
        select(Message)
        .where(Message.incident_id == linked[1].id, Message.kind == REPLY)
        .order_by(Message.id.desc())
    ).first()
    assert reply is not None and reply.author_id == agent.id
    assert "Connect with the TCP profile until the patch." in reply.body
    mailed = db.session.scalars(
        select(OutboundEmail.recipient).where(OutboundEmail.id > before)
    ).all()
    assert mailed == [requesters[1].email]
    assert "replied" in incident_actions(linked[1])
    sent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "workaround_sent")
    ).one()
    assert sent.details["reference"] == linked[1].reference


def test_no_workaround_no_sending(problem: Problem, agent: User) -> None:
    incident = gen_incident()
    problems.link_incident(problem, agent, incident)
    with pytest.raises(InvalidInput, match="has no workaround to send yet"):
        problems.send_workaround(incident, agent)


def test_linking_a_change(problem: Problem, agent: User) -> None:
    change = Change(title="Firmware 9.1 on the VPN concentrator", reference="CHG-000042")
    db.session.add(change)
    db.session.commit()
    problems.link_change(problem, agent, change)
    assert problem.change_id == change.id
    problems.link_change(problem, agent, None)
    assert problem.change_id is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("change_%"))
    ).all()
    assert actions == ["change_linked", "change_unlinked"]
