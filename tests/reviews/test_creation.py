"""A review is created when a major incident, or an incident of a configured priority, is
resolved: once per incident, in the resolution's transaction, recorded in its own trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk import incidents
from helpdesk.config import DEFAULTS
from helpdesk.core.settings import ReviewSettings, SettingsError
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, PostIncidentReview
from helpdesk.models.audit import REVIEW
from tests.factories import gen_incident, gen_user
from tests.reviews.conftest import declare, p1, resolve


def reviews() -> int:
    return db.session.scalar(select(func.count()).select_from(PostIncidentReview)) or 0


def test_a_p1_gets_a_draft_review_when_configured(app, agent, for_p1):
    incident = p1()
    review = resolve(incident, agent)
    assert review is not None
    assert (review.status, review.facilitator, review.summary) == ("draft", agent, "")
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.about(REVIEW, review.id)))
    assert [(e.action, e.actor_id, e.details["incident"]) for e in trail] == [
        ("created", agent.id, incident.reference)
    ]


def test_no_review_unless_configured(app, agent):
    assert resolve(p1(), agent) is None
    assert reviews() == 0


def test_a_priority_not_listed_gets_none(app, agent, for_p1):
    assert resolve(gen_incident(impact="low", urgency="low"), agent) is None


def test_a_major_incident_gets_one_facilitated_by_its_declarer(app, agent):
    declarer = gen_user("agent")
    incident = gen_incident(impact="low", urgency="low")
    declare(incident, declarer)
    review = resolve(incident, agent)
    assert review is not None
    assert review.facilitator == declarer
    assert review.summary == "Remote staff cannot connect to the VPN."


def test_reopened_and_resolved_again_keeps_its_one_review(app, agent, for_p1):
    incident = p1()
    first = resolve(incident, agent)
    incidents.change_status(incident, agent, "in_progress")
    assert resolve(incident, agent) == first
    assert reviews() == 1


@pytest.mark.parametrize("value", [[0], [6], ["1"], [True], 1, "1, 2"])
def test_the_priorities_setting_is_checked(value):
    config = {**DEFAULTS, "REVIEWS_FOR_PRIORITIES": value}
    with pytest.raises(SettingsError, match="REVIEWS_FOR_PRIORITIES must be a list of priorities"):
        ReviewSettings.from_config(config)


def test_the_priorities_setting_reads_a_list():
    config = {**DEFAULTS, "REVIEWS_FOR_PRIORITIES": [2, 1, 2]}
    assert ReviewSettings.from_config(config).for_priorities == (1, 2)
    assert ReviewSettings.from_config(DEFAULTS).for_priorities == ()
