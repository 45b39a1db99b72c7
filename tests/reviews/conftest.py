"""Shared setup for the post-incident reviews' tests: P1 incidents, resolving them, and
major incidents declared as a row (the major incident service declares them in its own
tests)."""

from __future__ import annotations

import pytest
from flask import Flask

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, MajorIncident, PostIncidentReview, User, utcnow
from helpdesk.reads.reviews import review_of
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_user


def p1(requester: User | None = None, **fields: object) -> Incident:
    """An incident of priority 1 (high impact, high urgency)."""
    return gen_incident(requester, impact="high", urgency="high", **fields)


def resolve(incident: Incident, agent: User) -> PostIncidentReview | None:
    """Resolve the incident as the agent; return its review, if it got one."""
    incidents.resolve(incident, agent, "fixed", "Restarted the VPN concentrator.")
    return review_of(incident.id)


def declare(incident: Incident, declarer: User, *services: object) -> MajorIncident:
    """Make the incident a major incident, as its row."""
    major = MajorIncident(
        incident=incident,
        public_title="VPN outage",
        public_summary="Remote staff cannot connect to the VPN.",
        declared_by=declarer,
        declared_at=utcnow(),
    )
    major.services.extend(services)  # type: ignore[arg-type]
    db.session.add(major)
    db.session.commit()
    return major


@pytest.fixture
def agent(app: Flask) -> User:
    return gen_user("agent", name="Alice Agent")


@pytest.fixture
def for_p1(app: Flask) -> None:
    """Reviews for every P1 incident, as configured."""
    reconfigure(app, REVIEWS_FOR_PRIORITIES=[1])


@pytest.fixture
def review(app: Flask, agent: User, for_p1: None) -> PostIncidentReview:
    """A draft review of a resolved P1 incident."""
    found = resolve(p1(subject="VPN down"), agent)
    assert found is not None
    return found
