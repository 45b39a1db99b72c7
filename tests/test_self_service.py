"""The requester closes their own incident with a help article: only theirs, only while open."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from helpdesk import incidents, lifecycle
from helpdesk.extensions import db
from helpdesk.models import AuditEvent
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_incident, gen_user

ARTICLE = SimpleNamespace(id=1, title="Reset your password")


def test_the_requester_resolves_and_closes_with_an_article(app):
    requester = gen_user()
    incident = gen_incident(requester)
    incidents.resolve_by_requester(incident, requester, ARTICLE)
    assert incident.status == lifecycle.CLOSED and incident.resolution_code == "self_service"
    assert "Reset your password" in incident.resolution_notes
    assert incident.resolved_at is not None and incident.closed_at is not None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    ).all()
    assert actions[-2:] == ["self_resolved", "confirmed"]


def test_nobody_else_may_close_it(app):
    incident = gen_incident(gen_user())
    with pytest.raises(incidents.NotAllowed):
        incidents.resolve_by_requester(incident, gen_user("agent"), ARTICLE)
    assert incident.status == lifecycle.NEW


def test_only_open_incidents(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.resolve(incident, agent, "fixed", "Done.")
    with pytest.raises(incidents.InvalidInput):
        incidents.resolve_by_requester(incident, requester, ARTICLE)
    assert incident.status == lifecycle.RESOLVED
