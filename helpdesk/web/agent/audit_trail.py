"""The audit trail in words: each recorded event as a sentence a person reads.

"Alice replied publicly", "Bob merged INC-000007 into this incident": the presenter,
`sentence`, is a pure function of an event's action, its actor's name and its details,
given two ways to link (to a message's place in a thread, to an incident), so it is tested
without a database or a request. Every value from the details is escaped; only the
sentence's own words and links are markup. `trail_of` loads an incident's events and
gives the presenter its links.

Events are read in the order they happened, then by id: merging plays the duplicate's
story into the survivor after the survivor's own, so ids alone put a merge after what
followed it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from helpdesk.channels import in_words
from helpdesk.extensions import db
from helpdesk.lifecycle import HOLD_REASONS, STATUS_LABELS
from helpdesk.models import AuditEvent, Incident, Message
from helpdesk.models.audit import INCIDENT
from helpdesk.priority import priority_label

Details = Mapping[str, Any]
FIELD_NAMES = {"impact": "impact", "urgency": "urgency", "priority": "priority"}


@dataclass(frozen=True)
class Links:
    """How the sentences link: a message id to its anchor in the thread it is in now (None
    when it is gone), and an incident reference to its page."""

    message: Callable[[int], str | None]
    incident: Callable[[str], str]


Phrase = Callable[[Markup, Details, Links], Markup]


def _link(url: str | None, text: str | Markup) -> Markup:
    """A link when there is somewhere to go, else the text alone."""
    if url is None:
        return escape(text)
    return Markup('<a href="{}">{}</a>').format(url, text)


def _message(details: Details, links: Links, text: str) -> Markup:
    """The words `text`, linked to the message the event is about."""
    message_id = details.get("message_id")
    return _link(links.message(message_id) if isinstance(message_id, int) else None, text)


def _incident(details: Details, links: Links) -> Markup:
    """The incident the event names, linked to its page."""
    reference = str(details.get("reference") or "another incident")
    if not details.get("reference"):
        return escape(reference)
    return Markup('<a class="ref" href="{}">{}</a>').format(links.incident(reference), reference)


def _value(field: str, value: Any) -> str:
    """A field's value as the console shows it (P2 high, not 2)."""
    if value is None or value == "":
        return "none"
    if field == "priority" and isinstance(value, int):
        return priority_label(value)
    return str(value)


def _changes(details: Details) -> Markup:
    """ "impact from low to high, priority from P4 low to P2 high"."""
    changes = details.get("changes")
    if not isinstance(changes, Mapping):
        return Markup("")
    parts = [
        Markup("{} from {} to {}").format(
            FIELD_NAMES.get(field, field.replace("_", " ")),
            _value(field, pair[0]),
            _value(field, pair[1]),
        )
        for field, pair in changes.items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    return Markup(", ").join(parts)


def _opened(who: Markup, details: Details, links: Links) -> Markup:
    """ "Uma reported it by email, at P3 moderate" (or "Sam logged it by phone for Uma")."""
    channel = str(details.get("channel") or "")
    way = Markup(" {}").format(in_words(channel)) if channel else Markup("")
    if details.get("logged_for"):
        sentence = Markup("{} logged it{} for {}").format(who, way, details["logged_for"])
    else:
        sentence = Markup("{} reported it{}").format(who, way)
    if isinstance(details.get("priority"), int):
        sentence += Markup(", at {}").format(priority_label(details["priority"]))
    return sentence


def _status(who: Markup, details: Details, links: Links) -> Markup:
    """ "Bob moved it from In progress to On hold: Awaiting the user"."""
    old, new = str(details.get("from")), str(details.get("to"))
    sentence = Markup("{} moved it from {} to {}").format(
        who, STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
    )
    reason = details.get("reason")
    if reason:
        sentence += Markup(": {}").format(HOLD_REASONS.get(str(reason), reason))
    return sentence


def _assigned(who: Markup, details: Details, links: Links) -> Markup:
    """ "Bob assigned it to Network / Priya", or unassigned it; an assignment rule's says
    "Assigned to Network / Priya by the rule for category Hardware"."""
    team, agent = details.get("team"), details.get("agent")
    if not team and not agent:
        return Markup("{} unassigned it").format(who)
    target = " / ".join(str(part) for part in (team, agent) if part)
    if details.get("rule"):
        return Markup("Assigned to {} by the rule for {}").format(target, details["rule"])
    return Markup("{} assigned it to {}").format(who, target)


def _escalated(who: Markup, details: Details, links: Links) -> Markup:
    """ "Bob escalated it from Service Desk to Network: the switch needs a specialist", or
    "It was escalated automatically from ... to ...: The resolution target was breached"."""
    by = Markup("{} escalated it").format(who)
    if details.get("trigger") not in (None, "agent"):
        by = Markup("It was escalated automatically")
    sentence = by
    if details.get("from_team"):
        sentence += Markup(" from {}").format(details["from_team"])
    sentence += Markup(" to {}").format(details.get("team") or "no team")
    reason = details.get("reason")
    return Markup("{}: {}").format(sentence, reason) if reason else sentence


def _changed(who: Markup, details: Details, links: Links) -> Markup:
    """ "Bob changed the impact from low to high (reason)"."""
    sentence = Markup("{} changed the {}").format(who, _changes(details))
    reason = details.get("reason")
    return Markup("{} ({})").format(sentence, reason) if reason else sentence


def _bounced(who: Markup, details: Details, links: Links) -> Markup:
    """ "Mail to a@example.org bounced: mailbox full"."""
    addresses = details.get("addresses") or []
    to = ", ".join(str(a) for a in addresses) if isinstance(addresses, list) else str(addresses)
    return Markup("Mail to {} bounced: {}").format(to or "the requester", details.get("reason"))


def _flagged(who: Markup, details: Details, links: Links) -> Markup:
    """ "An email from x@example.org was kept for review: x is not on INC-000001"."""
    sender = details.get("sender") or who
    mail = _message(details, links, "An email")
    return Markup("{} from {} was kept for review: {}").format(mail, sender, details.get("reason"))


def _major_resolved(who: Markup, details: Details, links: Links) -> Markup:
    """ "Ann resolved the major incident, and with it INC-000002, INC-000003"."""
    sentence = Markup("{} resolved the major incident").format(who)
    children = details.get("children")
    if isinstance(children, list) and children:
        named = Markup(", ").join(_incident({"reference": ref}, links) for ref in children)
        sentence += Markup(", and with it {}").format(named)
    return sentence


def _about(template: str, text: str | None = None) -> Phrase:
    """A sentence with the actor ({0}) and what the event is about ({1}): the words `text`
    linked to the event's message, or without `text`, the incident the details name."""

    def phrase(who: Markup, details: Details, links: Links) -> Markup:
        """Fill in the actor and the linked message or incident."""
        other = _message(details, links, text) if text else _incident(details, links)
        return Markup(template).format(who, other)

    return phrase


def _fields(template: str, *keys: str) -> Phrase:
    """A sentence with the actor ({0}) and the values of detail `keys` ({1}, ...)."""

    def phrase(who: Markup, details: Details, links: Links) -> Markup:
        """Fill in the actor and the detail values."""
        return Markup(template).format(who, *(details.get(key) for key in keys))

    return phrase


PHRASES: dict[str, Phrase] = {
    "opened": _opened,
    "follow_up_of": _about("{0} opened it as a follow-up of {1}"),
    "replied": _about("{0} {1}", "replied publicly"),
    "noted": _about("{0} added {1}", "an internal note"),
    "mail_noted": _about("{1} from {0} was kept as an internal note", "An email"),
    "mail_flagged": _flagged,
    "mail_reviewed": _about("{0} reviewed {1}", "an email kept for review"),
    "mail_bounced": _bounced,
    "linked": _about("{0} linked {1} as related"),
    "unlinked": _about("{0} removed the link to {1}"),
    "problem_linked": _fields("{0} linked it to the problem {1}", "reference"),
    "problem_unlinked": _fields("{0} removed its link to the problem {1}", "reference"),
    "caused_by_change": _fields("{0} marked it as caused by the change {1}", "reference"),
    "cause_cleared": _fields("{0} said the change {1} did not cause it after all", "reference"),
    "major_declared": _fields("{0} declared it a major incident: {1}", "title"),
    "child_attached": _about("{0} attached {1} as a child"),
    "child_detached": _about("{0} detached the child {1}"),
    "attached_to_major": _about("{0} attached it to the major incident {1}"),
    "detached_from_major": _about("{0} detached it from the major incident {1}"),
    "subscribed": _fields("{0} subscribed {1} to the public updates ({2})", "person", "via"),
    "unsubscribed": _fields("{0} stopped the public updates to {1}", "person"),
    "public_update": _fields("{0} posted a public update ({1})", "phase"),
    "major_resolved": _major_resolved,
    "merged_in": _about("{0} merged {1} into this incident"),
    "merged_into": _about("{0} merged this incident into {1}"),
    "classified": _changed,
    "requester_changed": _changed,
    "status_changed": _status,
    "resolved": _fields("{0} resolved it"),
    "self_resolved": _fields("{0} solved it with a help article"),
    "confirmed": _fields("{0} confirmed the resolution, which closed it"),
    "cancelled": _fields("{0} cancelled it"),
    "withdrawn": _fields("{0} withdrew it"),
    "reopened": _fields("{0} reopened it"),
    "cancel_reason": _fields("The reason given: {1}", "reason"),
    "resolution_rejected": _fields("{0} said the resolution did not fix it"),
    "rated": _fields("{0} rated it {1} out of 5", "rating"),
    "assigned": _assigned,
    "escalated": _escalated,
    "took_ownership": _fields("{0} took ownership"),
    "participant_added": _fields("{0} added {1} in copy", "person"),
    "participant_removed": _fields("{0} removed {1} from the copy list", "person"),
    "reminded": _fields("The requester was reminded that it waits for their answer"),
    "auto_resolved": _fields("It was resolved automatically: the requester did not answer"),
    "auto_closed": _fields("It was closed automatically: nobody replied to the resolution"),
    "sla_policy": _fields(
        "The SLA policy {1} applies from here on; the time already counted carries over", "name"
    ),
    "sla_warned": _fields("The {1} target reached its warning share", "target"),
    "sla_breached": _fields("The {1} target was breached", "target"),
}


def _generic(who: Markup, action: str, details: Details) -> Markup:
    """An action without a sentence of its own yet: its name and details, still readable."""
    facts = "; ".join(
        f"{key.replace('_', ' ')}: {value}" for key, value in details.items() if value is not None
    )
    sentence = Markup("{}: {}").format(who, action.replace("_", " "))
    return Markup("{} ({})").format(sentence, facts) if facts else sentence


def sentence(action: str, actor: str | None, details: Details, links: Links) -> Markup:
    """Say in one sentence what an audit event records; `actor` None is the system."""
    who = escape(actor or "The system")
    phrase = PHRASES.get(action)
    if phrase is None:
        return _generic(who, action, details)
    return phrase(who, details, links)


def _message_homes(events: list[AuditEvent]) -> dict[int, str]:
    """Which incident each message the events name is on now (a merge moves messages)."""
    ids = {e.details.get("message_id") for e in events if isinstance(e.details, dict)}
    wanted = [i for i in ids if isinstance(i, int)]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Message.id, Incident.reference)
        .join(Incident, Message.incident_id == Incident.id)
        .where(Message.id.in_(wanted))
    )
    return {message_id: reference for message_id, reference in rows if reference}


def trail_of(incident: Incident) -> list[tuple[AuditEvent, Markup]]:
    """The incident's audit events, oldest first, each with its sentence."""
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.about(INCIDENT, incident.id))
            .order_by(AuditEvent.created_at, AuditEvent.id)
            .options(joinedload(AuditEvent.actor))
        )
    )
    homes = _message_homes(events)

    def message_url(message_id: int) -> str | None:
        """The message's anchor on the page of the incident it is on now."""
        home = homes.get(message_id)
        return home and url_for("agent.incident", reference=home, _anchor=f"message-{message_id}")

    def incident_url(reference: str) -> str:
        """The incident's workbench."""
        return url_for("agent.incident", reference=reference)

    links = Links(message=message_url, incident=incident_url)
    return [
        (
            event,
            sentence(
                event.action, event.actor.name if event.actor else None, event.details or {}, links
            ),
        )
        for event in events
    ]
