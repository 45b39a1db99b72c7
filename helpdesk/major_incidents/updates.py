"""Public updates: what the status page shows and every subscriber is mailed, once each (notify
queues one outbox row per subscriber on PublicUpdatePosted, in the update's transaction)."""

from __future__ import annotations

from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.major_incidents.checks import PUBLIC_TEXT_MAX, ensure_agent_on_current
from helpdesk.major_incidents.events import PublicUpdatePosted
from helpdesk.models import MAJOR_PHASES, MajorIncident, PublicUpdate, User, utcnow

RESOLVED_PHASE = "resolved"
# The phases an update may be posted in; "resolved" is the resolution's own update.
UPDATE_PHASES = tuple(phase for phase in MAJOR_PHASES if phase != RESOLVED_PHASE)


@unit_of_work
def post_update(major: MajorIncident, actor: User, phase: str, body: str) -> PublicUpdate:
    """Post a public update in one of UPDATE_PHASES (agents only, while it is current)."""
    ensure_agent_on_current(actor, major)
    if phase == RESOLVED_PHASE:
        raise InvalidInput("Resolve the major incident to post its resolved update.")
    if phase not in UPDATE_PHASES:
        raise InvalidInput(f"Choose a phase: {', '.join(UPDATE_PHASES)}.")
    update = publish_update(major, actor, phase, body)
    commit()
    return update


def publish_update(major: MajorIncident, actor: User, phase: str, body: str) -> PublicUpdate:
    """Add the update, move the major incident to its phase, record and publish it; callers
    check who may and commit."""
    text = check.required_text(body, "The update", PUBLIC_TEXT_MAX)
    update = PublicUpdate(
        major_incident_id=major.id, phase=phase, body=text, author=actor, created_at=utcnow()
    )
    db.session.add(update)
    db.session.flush()
    major.phase = phase
    record(major.incident, actor, "public_update", phase=phase, update_id=update.id)
    events.publish(PublicUpdatePosted(major, update, actor))
    return update
