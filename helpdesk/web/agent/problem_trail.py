"""A problem's audit trail in words: each recorded event as a sentence ("Priya linked
INC-000012", "Sam moved it from Investigating to Known error"). Values from the details are
escaped; only the sentence's own words and links are markup."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Problem
from helpdesk.models.audit import PROBLEM
from helpdesk.priority import priority_label
from helpdesk.problems.states import LABELS

Details = Mapping[str, Any]
# Fields whose old and new values the sentence says; long texts are named only.
SHORT_FIELDS = ("title", "priority", "owner_team", "owner_agent", "services")


def _incidents(details: Details) -> Markup:
    """The incident reference(s) the event names, linked to their pages."""
    found = details.get("references") or [details.get("reference")]
    links = [
        Markup('<a class="ref" href="{}">{}</a>').format(
            url_for("agent.incident", reference=reference), reference
        )
        for reference in found
        if reference
    ]
    return Markup(", ").join(links)


def _value(field: str, value: Any) -> str:
    """A field's value in words (P2 high, not 2; a list of services by name)."""
    if value in (None, "", []):
        return "none"
    if field == "priority" and isinstance(value, int):
        return priority_label(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _edited(details: Details) -> Markup:
    """ "the priority from P3 moderate to P2 high, the workaround"."""
    changes = details.get("changes") or {}
    parts = []
    for field, pair in changes.items():
        name = field.replace("_", " ")
        if field in SHORT_FIELDS and isinstance(pair, list) and len(pair) == 2:
            old, new = _value(field, pair[0]), _value(field, pair[1])
            parts.append(Markup("the {} from {} to {}").format(name, old, new))
        else:
            parts.append(Markup("the {}").format(name))
    return Markup(", ").join(parts)


def _status(details: Details) -> Markup:
    """ "from Investigating to Known error"."""
    old, new = str(details.get("from")), str(details.get("to"))
    return Markup("from {} to {}").format(LABELS.get(old, old), LABELS.get(new, new))


PHRASES: dict[str, Callable[[Markup, Details], Markup]] = {
    "opened": lambda who, d: Markup("{} opened it").format(who),
    "edited": lambda who, d: Markup("{} changed {}").format(who, _edited(d)),
    "status_changed": lambda who, d: Markup("{} moved it {}").format(who, _status(d)),
    "incident_linked": lambda who, d: Markup("{} linked {}").format(who, _incidents(d)),
    "incident_unlinked": lambda who, d: Markup("{} unlinked {}").format(who, _incidents(d)),
    "change_linked": lambda who, d: Markup("{} linked the change {}").format(
        who, d.get("reference")
    ),
    "change_unlinked": lambda who, d: Markup("{} removed the link to the change {}").format(
        who, d.get("reference")
    ),
    "workaround_sent": lambda who, d: Markup(
        "{} sent the workaround to the requester of {}"
    ).format(who, _incidents(d)),
    "incidents_resolved": lambda who, d: Markup("{} resolved {} with the fix").format(
        who, _incidents(d)
    ),
}


def sentence(event: AuditEvent) -> Markup:
    """Say in one sentence what an event about a problem records."""
    who = escape(event.actor.name if event.actor else "The system")
    phrase = PHRASES.get(event.action)
    if phrase is None:
        return Markup("{}: {}").format(who, event.action.replace("_", " "))
    return phrase(who, event.details or {})


def trail_of(problem: Problem) -> list[tuple[AuditEvent, Markup]]:
    """The problem's audit events, oldest first, each with its sentence."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.about(PROBLEM, problem.id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .options(joinedload(AuditEvent.actor))
    )
    return [(event, sentence(event)) for event in events]
