"""Mail about major incidents: each public update goes to every subscriber, once each, as
one outbox row per person written in the update's transaction.

The mail says only what the status page says (the public title, the phase, the update) and
is not threaded on the incident behind it, whose subject, thread and people are internal:
its subject carries the reference token, so a reply still reaches that incident. It is an
automatic notice (no out-of-office replies) that people asked for, so the hourly cap on
automatic notices, meant for replies to their own mail, does not hold it back.
"""

from __future__ import annotations

from helpdesk.core import events
from helpdesk.core.urls import external_url
from helpdesk.major_incidents.events import PublicUpdatePosted
from helpdesk.models import MajorIncident, PublicUpdate, User
from helpdesk.notify import _enabled, audience
from helpdesk.notify.compose import AUTO_GENERATED, one_line
from helpdesk.notify.intents import queue_email
from helpdesk.reads.major_incidents import subscribers

PHASE_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}


def update_subject(major: MajorIncident, update: PublicUpdate) -> str:
    """The reference token (replies reach the incident), the public title and the phase."""
    label = PHASE_LABELS.get(update.phase, update.phase)
    return one_line(f"[{major.incident.reference}] {major.public_title}: {label}")


def public_update_posted(event: PublicUpdatePosted) -> None:
    """Queue the update for every subscriber but its author, once each."""
    if not _enabled():  # the switch every notification obeys (config, demo data)
        return
    major, update = event.major, event.update
    people: list[User | None] = [row.user for row in subscribers(major)]
    context = {
        "reference": major.incident.reference,
        "public_title": major.public_title,
        "phase": PHASE_LABELS.get(update.phase, update.phase),
        "body": update.body,
        "resolved": update.phase == "resolved",
        "status_url": external_url("status.major", reference=major.incident.reference),
    }
    for person in audience.recipients(people, event.actor, automatic=False):
        queue_email(
            person,
            update_subject(major, update),
            "major_update",
            auto_submitted=AUTO_GENERATED,
            context=context,
        )


def subscribe_to_events() -> None:
    """Have public updates mailed to the subscribers (the composition root calls this)."""
    events.subscribe(PublicUpdatePosted, public_update_posted)
