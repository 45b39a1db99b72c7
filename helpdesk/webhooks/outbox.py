"""Queueing webhooks: the incident service's events become one delivery row per active
subscription that wants them, written in the transaction of the change (the events are
published inside it), so a change that rolls back queues nothing and one that commits
cannot lose its webhook. No HTTP here: the worker sends (delivery.py).

Intake pays for this on every event, so the active subscriptions are read once per
transaction (one small query, cached in `g` against the session's transaction) and with
none, nothing else happens: no payload is built.

The payload, stable for receivers (the README documents it):

    {"type": "incident.resolved", "timestamp": "2026-11-30T09:00:00Z",
     "data": {"incident": {reference, subject, status, priority, impact, urgency,
                           category, service, assigned_team, assigned_agent, requester,
                           created_at, updated_at, response_due_at, resolution_due_at, url},
              ...what the event adds}}

People are {"name", "email"} (the requester's email as the API shows it); times are UTC
ISO 8601 with a Z. The event adds: incident.opened its `description` and `channel`;
incident.public_reply the `reply` (id, author, body, created_at; a public message only,
never an internal note); incident.updated the `change` (assigned, classified, status);
incident.resolved the `resolution` (code, notes); the SLA events `sla` (target, at);
incident.escalated `escalation` (from, to, reason, trigger).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import select

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core.urls import external_url
from helpdesk.core.zones import utc_iso
from helpdesk.extensions import db
from helpdesk.incidents.events import (
    Assigned,
    Closed,
    Escalated,
    IncidentOpened,
    PublicReplyAdded,
    Reclassified,
    Resolved,
    SlaBreached,
    SlaWarned,
    StatusMoved,
)
from helpdesk.models import Incident, User, WebhookDelivery, WebhookSubscription, utcnow
from helpdesk.models.message import REPLY
from helpdesk.webhooks import topics

Payload = dict[str, Any]
CACHE_KEY = "webhook_subscriptions"
# Statuses whose own event (Resolved, Closed) says it better than "status changed".
OWN_EVENT_STATUSES = frozenset({lifecycle.RESOLVED, lifecycle.CLOSED})


def iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with a Z, or None."""
    if moment is None:
        return None
    return utc_iso(moment)


def person(user: User | None) -> dict[str, str] | None:
    """A person as receivers see them."""
    return None if user is None else {"name": user.name, "email": user.email}


def incident_data(incident: Incident) -> Payload:
    """The incident as every payload carries it."""
    return {
        "reference": incident.reference,
        "subject": incident.subject,
        "status": incident.status,
        "priority": incident.priority,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "category": incident.category.name if incident.category else None,
        "service": incident.service.name if incident.service else None,
        "assigned_team": incident.assigned_team.name if incident.assigned_team else None,
        "assigned_agent": person(incident.assigned_agent),
        "requester": person(incident.requester),
        "created_at": iso(incident.created_at),
        "updated_at": iso(incident.updated_at),
        "response_due_at": iso(incident.response_due_at),
        "resolution_due_at": iso(incident.resolution_due_at),
        "url": external_url("agent.incident", reference=incident.reference),
    }


# Each domain event: the name receivers see (None: not sent) and what it adds to the data.
def _opened(event: IncidentOpened) -> tuple[str | None, Payload]:
    incident = event.incident
    return topics.OPENED, {"description": incident.description, "channel": incident.channel}


def _public_reply(event: PublicReplyAdded) -> tuple[str | None, Payload]:
    message = event.message
    if message.kind != REPLY:  # only ever a public message
        return None, {}
    reply = {
        "id": message.id,
        "author": person(message.author),
        "body": message.body,
        "created_at": iso(message.created_at),
    }
    return topics.PUBLIC_REPLY, {"reply": reply}


def _assigned(_event: Assigned) -> tuple[str | None, Payload]:
    return topics.UPDATED, {"change": "assigned"}


def _reclassified(_event: Reclassified) -> tuple[str | None, Payload]:
    return topics.UPDATED, {"change": "classified"}


def _status_moved(event: StatusMoved) -> tuple[str | None, Payload]:
    if event.incident.status in OWN_EVENT_STATUSES:
        return None, {}
    return topics.UPDATED, {"change": "status"}


def _resolved(event: Resolved) -> tuple[str | None, Payload]:
    incident = event.incident
    resolution = {"code": incident.resolution_code, "notes": incident.resolution_notes}
    return topics.RESOLVED, {"resolution": resolution}


def _closed(_event: Closed) -> tuple[str | None, Payload]:
    return topics.CLOSED, {}


def _sla_warned(event: SlaWarned) -> tuple[str | None, Payload]:
    return topics.SLA_WARNING, {"sla": {"target": event.target, "at": iso(event.at)}}


def _sla_breached(event: SlaBreached) -> tuple[str | None, Payload]:
    return topics.SLA_BREACH, {"sla": {"target": event.target, "at": iso(event.at)}}


def _escalated(event: Escalated) -> tuple[str | None, Payload]:
    escalation = {
        "from": event.from_team,
        "to": event.to_team.name,
        "reason": event.reason,
        "trigger": event.trigger,
    }
    return topics.ESCALATED, {"escalation": escalation}


# The one table from domain events to webhook events.
HANDLERS: dict[type, Callable[[Any], tuple[str | None, Payload]]] = {
    IncidentOpened: _opened,
    PublicReplyAdded: _public_reply,
    Assigned: _assigned,
    Reclassified: _reclassified,
    StatusMoved: _status_moved,
    Resolved: _resolved,
    Closed: _closed,
    SlaWarned: _sla_warned,
    SlaBreached: _sla_breached,
    Escalated: _escalated,
}


def active_subscriptions() -> tuple[tuple[int, frozenset[str]], ...]:
    """The active subscriptions' ids and events, read once per transaction (an admin's
    change applies from the next one)."""
    cached = g.get(CACHE_KEY)
    current = db.session().get_transaction()
    if cached is not None and current is not None and cached[0] is current:
        return cached[1]
    with db.session.no_autoflush:  # the opening unit flushes once, at its end
        rows = db.session.execute(
            select(WebhookSubscription.id, WebhookSubscription.events).where(
                WebhookSubscription.active.is_(True)
            )
        ).all()
    found = tuple((ident, frozenset(names or ())) for ident, names in rows)
    setattr(g, CACHE_KEY, (db.session().get_transaction(), found))
    return found


def queue(event: object) -> int:
    """Queue a delivery of `event` for each active subscription that wants it; return how
    many. Callers commit (it runs inside the unit that published the event)."""
    describe = HANDLERS.get(type(event))
    if describe is None:
        return 0
    subscribed = active_subscriptions()
    if not subscribed:
        return 0
    name, extra = describe(event)
    wanted = [ident for ident, names in subscribed if name in names]
    if name is None or not wanted:
        return 0
    now = utcnow()
    incident: Incident = event.incident  # type: ignore[attr-defined]
    with db.session.no_autoflush:
        payload = {
            "type": name,
            "timestamp": iso(now),
            "data": {"incident": incident_data(incident), **extra},
        }
    for ident in wanted:
        db.session.add(
            WebhookDelivery(
                subscription_id=ident,
                message_id=f"msg_{uuid.uuid4().hex}",
                event=name,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
    return len(wanted)


def subscribe_to_events() -> None:
    """Queue webhooks for every incident event in HANDLERS (the composition root calls
    this after notify's, so a payload sees what the other subscribers changed)."""
    for event_type in HANDLERS:
        events.subscribe(event_type, _on_event)


def _on_event(event: object) -> None:
    queue(event)
