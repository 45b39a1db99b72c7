"""A posted payload, bytes in, as the alerts it carries: one normalized `Alert` whatever the
format, or a `MalformedAlert` saying what is wrong. Pure: no database, no request."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from helpdesk.alerts.formats import AlertmanagerAlert, AlertmanagerWebhook, EventsV2

FIRING, RESOLVED, ACKNOWLEDGED = "firing", "resolved", "acknowledged"
EVENT_STATUS = {"trigger": FIRING, "acknowledge": ACKNOWLEDGED, "resolve": RESOLVED}
SOURCE_NAMES = {"alertmanager": "Prometheus Alertmanager", "events": "Events API v2"}
# What a name, and each label, is cut to (an alert is a notice, not a document).
NAME_MAX = 255
VALUE_MAX = 1000
Location = list[str | int]


class MalformedAlert(ValueError):
    """A payload the helpdesk cannot read: why, and the refused fields (where, what)."""

    def __init__(self, reason: str, errors: list[tuple[Location, str]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors or []


@dataclass(frozen=True)
class Alert:
    """One alert as the helpdesk needs it, whichever format brought it."""

    source: str  # alertmanager or events
    key: str  # what repeats of the alert share: a fingerprint, a dedup_key
    group: str  # what the alerts of one incident share: a groupKey, a payload.group
    status: str  # firing, resolved or acknowledged
    name: str  # a short name for notes: "HighLatency on vpn-1"
    title: str  # the incident's subject
    details: str  # what the monitoring says about it, as text
    severity: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    started_at: datetime | None = None  # naive UTC, as the helpdesk stores times
    link: str | None = None
    service: str | None = None  # names to look up in the catalogues
    category: str | None = None


def parse_alertmanager(body: bytes) -> list[Alert]:
    """The alerts of an Alertmanager notification, in the order sent."""
    webhook = _model(AlertmanagerWebhook, body)
    assert isinstance(webhook, AlertmanagerWebhook)
    return [_from_alertmanager(webhook, alert) for alert in webhook.alerts]


def parse_event(body: bytes, new_key: Callable[[], str] = lambda: uuid.uuid4().hex) -> list[Alert]:
    """The alert an Events v2 event is about; a trigger without a dedup_key gets a new one
    (`new_key`), as PagerDuty does, and is then an alert of its own."""
    event = _model(EventsV2, body)
    assert isinstance(event, EventsV2)
    return [_from_event(event, event.dedup_key or new_key())]


def routing_key(body: bytes) -> str | None:
    """The routing_key of an Events v2 body, if it has a readable one (the token of a sender
    that cannot set headers); never raises."""
    try:
        loaded = json.loads(body)
    except (ValueError, RecursionError):
        return None
    key = loaded.get("routing_key") if isinstance(loaded, dict) else None
    return key if isinstance(key, str) else None


def _model(model: type[BaseModel], body: bytes) -> BaseModel:
    """The body as `model`, or MalformedAlert naming the first problem and every field."""
    try:
        loaded = json.loads(body)
    except (ValueError, RecursionError) as error:  # nested too deep to read: not ours either
        raise MalformedAlert(f"The body is not JSON: {error}.") from error
    try:
        return model.model_validate(loaded)
    except ValidationError as error:
        errors = [(list(item["loc"]), item["msg"]) for item in error.errors()]
        where = ".".join(str(part) for part in errors[0][0]) or "the body"
        raise MalformedAlert(
            f"This is not a valid {model.__name__} payload: {where}: {errors[0][1]}.", errors
        ) from error


def _from_alertmanager(webhook: AlertmanagerWebhook, alert: AlertmanagerAlert) -> Alert:
    """One alert of a group, its labels and annotations over the group's common ones."""
    labels = {**webhook.commonLabels, **alert.labels}
    annotations = {**webhook.commonAnnotations, **alert.annotations}
    alertname = labels.get("alertname") or "Alert"
    instance = labels.get("instance")
    summary, description = annotations.get("summary", ""), annotations.get("description", "")
    headline = summary or description
    return Alert(
        source="alertmanager",
        key=alert.fingerprint or _fingerprint(alert.labels),
        group=webhook.groupKey,
        status=alert.status,
        name=cut(f"{alertname} on {instance}" if instance else alertname, NAME_MAX),
        title=f"{alertname}: {headline}" if headline else alertname,
        details="\n\n".join(dict.fromkeys(part for part in (summary, description) if part)),
        severity=labels.get("severity"),
        labels=_cut_values(labels),
        started_at=_naive_utc(alert.startsAt),
        link=alert.generatorURL or webhook.externalURL or None,
        service=labels.get("service"),
        category=labels.get("category"),
    )


def _from_event(event: EventsV2, key: str) -> Alert:
    """The event's alert; its payload's fields and plain custom details are its labels."""
    status = EVENT_STATUS[event.event_action]
    payload = event.payload
    if payload is None:  # an acknowledgement or a resolution: it names its alert, no more
        return Alert("events", key, key, status, cut(key, NAME_MAX), key, "")
    custom = payload.custom_details
    scalars = _scalars(custom) if isinstance(custom, dict) else {}
    labels = {
        name: value
        for name, value in (
            ("source", payload.source),
            ("component", payload.component),
            ("group", payload.group),
            ("class", payload.class_),
        )
        if value
    }
    return Alert(
        source="events",
        key=key,
        group=payload.group or key,
        status=status,
        name=cut(payload.summary, NAME_MAX),
        title=payload.summary,
        details=_details_text(custom),
        severity=payload.severity,
        labels=_cut_values({**scalars, **labels}),
        started_at=_naive_utc(payload.timestamp),
        link=event.client_url or None,
        service=scalars.get("service") or payload.component,
        category=scalars.get("category") or payload.class_,
    )


def _fingerprint(labels: Mapping[str, str]) -> str:
    """What Alertmanager identifies an alert by, its label set, when a sender omits it."""
    text = "\n".join(f"{name}={value}" for name, value in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _scalars(details: Mapping[str, Any]) -> dict[str, str]:
    """The plain values of custom details (numbers, words), as labels."""
    return {
        str(name): str(value)
        for name, value in details.items()
        if isinstance(value, str | int | float | bool)
    }


def _details_text(custom: Any) -> str:
    """Custom details as text: a string as sent, anything else as indented JSON."""
    if custom is None or custom == "":
        return ""
    if isinstance(custom, str):
        return custom
    return json.dumps(custom, indent=2, sort_keys=True, default=str)


def _naive_utc(moment: datetime | None) -> datetime | None:
    """A sent time as the helpdesk stores times (a time without a zone is taken as UTC)."""
    if moment is None or moment.year < 2:  # Alertmanager's "0001-01-01": not set
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def cut(text: str, limit: int) -> str:
    """`text`, shortened to `limit` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_values(labels: Mapping[str, str]) -> dict[str, str]:
    """Labels with their names and values cut to size."""
    return {cut(name, NAME_MAX): cut(value, VALUE_MAX) for name, value in labels.items()}
