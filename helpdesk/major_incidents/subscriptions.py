"""Who gets a major incident's public updates: the requesters of it and of its children, and
everyone who said "I'm affected too". A person is subscribed once (the table's primary key),
however many ways they came by."""

from __future__ import annotations

from helpdesk.channels import ALERT
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.participants import person_label
from helpdesk.major_incidents.checks import ensure_current
from helpdesk.models import (
    SUBSCRIBED_VIA,
    Incident,
    MajorIncident,
    MajorIncidentSubscription,
    User,
    utcnow,
)
from helpdesk.reads.major_incidents import subscription


@unit_of_work
def subscribe(major: MajorIncident, user: User, via: str, actor: User | None = None) -> bool:
    """Send `user` the public updates from now on; True when newly subscribed, False when
    they already were. `via` says how they came (SUBSCRIBED_VIA); `actor` is who did it
    when not the person themself (an agent adding them, an attachment)."""
    if via not in SUBSCRIBED_VIA:
        raise InvalidInput(f"Unknown way to subscribe: {via[:20]!r}.")
    ensure_current(major)
    if subscription(major, user) is not None:
        commit()
        return False
    db.session.add(
        MajorIncidentSubscription(
            major_incident_id=major.id, user_id=user.id, via=via, created_at=utcnow()
        )
    )
    record(major.incident, actor or user, "subscribed", person=person_label(user), via=via)
    commit()
    return True


def subscribe_requester(major: MajorIncident, incident: Incident, via: str, actor: User) -> bool:
    """Subscribe the person who reported `incident`, unless a monitoring alert opened it
    (its requester is the integration's service account, a program that reads no mail)."""
    if incident.channel == ALERT:
        return False
    return subscribe(major, incident.requester, via, actor)


@unit_of_work
def unsubscribe(major: MajorIncident, user: User, actor: User | None = None) -> bool:
    """Stop sending `user` the public updates; True when they were subscribed."""
    found = subscription(major, user)
    if found is None:
        commit()
        return False
    db.session.delete(found)
    record(major.incident, actor or user, "unsubscribed", person=person_label(user))
    commit()
    return True
