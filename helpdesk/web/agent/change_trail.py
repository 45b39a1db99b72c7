"""A change's audit trail in words, as the incident page's trail reads: "Alice started it",
"Bob marked INC-000007 as caused by this change". `sentence` is a pure function of an
event's action, its actor's name and details, the viewer's zone and a way to link an
incident; every value from the details is escaped."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from helpdesk.changes import STATUS_LABELS
from helpdesk.core.zones import exact_time
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Change
from helpdesk.models.audit import CHANGE

Details = Mapping[str, Any]
IncidentUrl = Callable[[str], str]
FIELD_NAMES = {
    "planned_start": "planned start",
    "planned_end": "planned end",
    "external_id": "external id",
}
TIMES = ("planned_start", "planned_end", "actual_start", "actual_end")


def _value(field: str, value: Any, zone: tzinfo) -> str:
    """A field's value as the page shows it: times on the viewer's clock, lists joined."""
    if value is None or value == "" or value == []:
        return "none"
    if field in TIMES and isinstance(value, str):
        return exact_time(datetime.fromisoformat(value.removesuffix("Z")), zone)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _updated(who: Markup, details: Details, zone: tzinfo) -> Markup:
    """ "Bob changed the planned start from ... to ..., the description"."""
    changes = details.get("changes")
    parts = [
        Markup("the description")
        if field == "description"
        else Markup("the {} from {} to {}").format(
            FIELD_NAMES.get(field, field),
            _value(field, pair[0], zone),
            _value(field, pair[1], zone),
        )
        for field, pair in (changes.items() if isinstance(changes, Mapping) else ())
        if isinstance(pair, list) and len(pair) == 2
    ]
    return Markup("{} changed {}").format(who, Markup(", ").join(parts))


def _status(who: Markup, details: Details, zone: tzinfo) -> Markup:
    """ "Bob moved it from Planned to In progress (started 2026-11-30 10:00 UTC)"."""
    old, new = str(details.get("from")), str(details.get("to"))
    if old == new:
        sentence = Markup("{} recorded when it ran").format(who)
    else:
        sentence = Markup("{} moved it from {} to {}").format(
            who, STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
        )
    stamps = [
        Markup("{} {}").format(word, _value(key, details[key], zone))
        for key, word in (("actual_start", "started"), ("actual_end", "ended"))
        if details.get(key)
    ]
    return Markup("{} ({})").format(sentence, Markup(", ").join(stamps)) if stamps else sentence


def sentence(
    action: str, actor: str | None, details: Details, zone: tzinfo, incident_url: IncidentUrl
) -> Markup:
    """Say in one sentence what an event on a change records; `actor` None is the system."""
    who = escape(actor or "The system")

    def incident() -> Markup:
        """The incident the event names, linked to its page."""
        reference = str(details.get("reference") or "an incident")
        if not details.get("reference"):
            return escape(reference)
        return Markup('<a class="ref" href="{}">{}</a>').format(incident_url(reference), reference)

    if action == "created":
        external = details.get("external_id")
        mirrored = Markup(" (external id {})").format(external) if external else Markup("")
        return Markup("{} recorded the change{}").format(who, mirrored)
    if action == "updated":
        return _updated(who, details, zone)
    if action == "status":
        return _status(who, details, zone)
    if action == "caused_incident":
        return Markup("{} marked {} as caused by this change").format(who, incident())
    if action == "cause_withdrawn":
        return Markup("{} said {} was not caused by this change after all").format(who, incident())
    return Markup("{}: {}").format(who, action.replace("_", " "))


def trail_of(change: Change, zone: tzinfo) -> list[tuple[AuditEvent, Markup]]:
    """The change's audit events, oldest first, each with its sentence."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.about(CHANGE, change.id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .options(joinedload(AuditEvent.actor))
    )

    def incident_url(reference: str) -> str:
        """The incident's workbench."""
        return url_for("agent.incident", reference=reference)

    return [
        (
            event,
            sentence(
                event.action,
                event.actor.name if event.actor else None,
                event.details or {},
                zone,
                incident_url,
            ),
        )
        for event in events
    ]
