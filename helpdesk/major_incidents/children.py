"""Children: incidents about the same outage attached to the major incident. They are linked,
not merged: each keeps its own conversation and requester, who becomes a subscriber of the
public updates, and resolving the major incident resolves them."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.validation import require_agent
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.participants import person_label
from helpdesk.major_incidents.checks import ensure_agent_on_current, reference
from helpdesk.major_incidents.events import ChildAttached, ChildDetached
from helpdesk.major_incidents.subscriptions import subscribe_requester
from helpdesk.models import Incident, MajorIncident, User
from helpdesk.reads.major_incidents import major_of, subscription


@unit_of_work
def attach_child(major: MajorIncident, child: Incident, actor: User) -> None:
    """Attach `child` to the major incident (agents only); its requester is subscribed."""
    ensure_agent_on_current(actor, major)
    _check_attachable(major, child)
    child.parent = major.incident
    record(major.incident, actor, "child_attached", reference=child.reference)
    record(child, actor, "attached_to_major", reference=reference(major))
    subscribe_requester(major, child, "attached", actor)
    events.publish(ChildAttached(major, child, actor))
    commit()


def _check_attachable(major: MajorIncident, child: Incident) -> None:
    """Refuse the major incident itself, another major one, one attached already, and one
    that is closed, cancelled or merged."""
    name = child.reference
    if child.id == major.incident_id:
        raise InvalidInput("A major incident cannot be its own child.")
    if child.parent_id == major.incident_id:
        raise InvalidInput(f"{name} is already attached to {reference(major)}.")
    if child.parent is not None:
        raise InvalidInput(f"{name} is already a child of {child.parent.reference}.")
    if major_of(child) is not None:
        raise InvalidInput(f"{name} is a major incident itself; it cannot be a child.")
    if child.merged_into_id is not None or child.status in lifecycle.TERMINAL_STATUSES:
        raise InvalidInput(f"{name} is closed; only an open or resolved incident can be attached.")


@unit_of_work
def detach_child(major: MajorIncident, child: Incident, actor: User) -> None:
    """Detach a child attached by mistake (agents only); its requester stops getting the
    updates unless they subscribed another way or have another child there."""
    require_agent(actor)
    if child.parent_id != major.incident_id:
        raise InvalidInput(f"{child.reference} is not attached to {reference(major)}.")
    child.parent = None
    record(major.incident, actor, "child_detached", reference=child.reference)
    record(child, actor, "detached_from_major", reference=reference(major))
    _drop_attached_subscription(major, child, actor)
    events.publish(ChildDetached(major, child, actor))
    commit()


def _drop_attached_subscription(major: MajorIncident, child: Incident, actor: User) -> None:
    """Unsubscribe the child's requester when only this attachment made them a subscriber."""
    found = subscription(major, child.requester)
    if found is None or found.via != "attached":
        return
    others = select(Incident.id).where(
        Incident.parent_id == major.incident_id,
        Incident.requester_id == child.requester_id,
        Incident.id != child.id,
    )
    if db.session.scalar(others.limit(1)) is None:
        db.session.delete(found)
        record(major.incident, actor, "unsubscribed", person=person_label(child.requester))
