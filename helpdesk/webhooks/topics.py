"""The events a webhook subscription may pick, by the names receivers see in `type`, with
the words the admin page shows. Which domain event becomes which is outbox.HANDLERS."""

from __future__ import annotations

OPENED = "incident.opened"
UPDATED = "incident.updated"
PUBLIC_REPLY = "incident.public_reply"
RESOLVED = "incident.resolved"
CLOSED = "incident.closed"
SLA_WARNING = "incident.sla_warning"
SLA_BREACH = "incident.sla_breach"
ESCALATED = "incident.escalated"

TOPICS: dict[str, str] = {
    OPENED: "Incident opened",
    UPDATED: "Incident updated (classified, assigned, status changed)",
    PUBLIC_REPLY: "Public reply added (agent or requester)",
    RESOLVED: "Incident resolved",
    CLOSED: "Incident closed",
    SLA_WARNING: "SLA target about to be missed",
    SLA_BREACH: "SLA target breached",
    ESCALATED: "Incident escalated to another tier",
}
