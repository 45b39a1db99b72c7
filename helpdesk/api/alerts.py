"""Monitoring alerts in: Prometheus Alertmanager's webhook and PagerDuty's Events API v2,
each with a token of the alerts scope (an Events v2 sender may give it as the routing_key).

The body is read by helpdesk.alerts, not by spectree: every payload is kept as it came
before it is checked, so a malformed one is kept too, and refused with 400 and the reason
(the formats' models still make the document's request schemas).
"""

from __future__ import annotations

from typing import Literal

from flask import Response as FlaskResponse
from flask import current_app, request
from flask.blueprints import BlueprintSetupState
from pydantic import BaseModel, Field
from spectree import Response

from helpdesk import alerts
from helpdesk.alerts.formats import AlertmanagerWebhook, EventsV2
from helpdesk.api.auth import caller, rate_limit_key, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.problems import REFUSALS, FieldError, problem
from helpdesk.extensions import limiter


class AlertsAccepted(BaseModel):
    """What became of an Alertmanager notification."""

    status: Literal["success"] = "success"
    message: str = "Alerts processed"
    outcome: str = Field(
        description="opened, resolved, added, refired, cleared, repeated or ignored: the "
        "weightiest thing the payload did."
    )
    incidents: list[str] = Field(description="The references of the incidents it reached.")


class EventAccepted(BaseModel):
    """PagerDuty's answer to an event, which its senders expect."""

    status: Literal["success"] = "success"
    message: str = "Event processed"
    dedup_key: str = Field(description="The alert's key; a trigger without one gets one.")


def _body_routing_key() -> str | None:
    """The token an Events v2 sender gives as its routing_key."""
    return alerts.routing_key(request.get_data())


@bp.record
def _check_the_severity_map(state: BlueprintSetupState) -> None:
    """A bad ALERT_SEVERITY_MAP stops the app as it starts, with the key named."""
    alerts.severity_map(state.app.config)


def _alerts_rate_limit() -> str:
    return str(current_app.config["ALERTS_RATE_LIMIT"])


# Per token, like the API's limit, but high: every repeat of a flood counts on its incident.
limited = limiter.limit(_alerts_rate_limit, key_func=rate_limit_key)
# The endpoints limited here rather than by the API's own limit.
OWN_LIMIT = ("api.alertmanager", "api.events")


@bp.post("/alerts/alertmanager")
@limited
@requires("alerts")
@spec.validate(
    json=AlertmanagerWebhook,
    resp=Response(HTTP_202=AlertsAccepted, **REFUSALS),
    tags=["alerts"],
    skip_validation=True,
)
def alertmanager() -> FlaskResponse:
    """Take an Alertmanager notification (a `webhook_configs` receiver): each firing alert
    opens or adds to its group's incident, each resolved one clears."""
    receipt = _receive("alertmanager")
    if isinstance(receipt, FlaskResponse):
        return receipt
    return _accepted(AlertsAccepted(outcome=receipt.outcome, incidents=receipt.references))


@bp.post("/alerts/events")
@limited
@requires("alerts", elsewhere=_body_routing_key)
@spec.validate(
    json=EventsV2,
    resp=Response(HTTP_202=EventAccepted, **REFUSALS),
    tags=["alerts"],
    skip_validation=True,
)
def events() -> FlaskResponse:
    """Take an Events API v2 event (trigger, acknowledge, resolve), answered as PagerDuty
    answers."""
    receipt = _receive("events")
    if isinstance(receipt, FlaskResponse):
        return receipt
    return _accepted(EventAccepted(dedup_key=receipt.keys[0]))


def _receive(source: str) -> alerts.Receipt | FlaskResponse:
    """The payload applied, or a 400 problem saying what is wrong with it."""
    mapping = alerts.severity_map(current_app.config)
    try:
        return alerts.receive(source, caller(), request.get_data(), mapping)
    except alerts.MalformedAlert as error:
        fields = [FieldError(location=where, message=what) for where, what in error.errors]
        return problem(400, "malformed_alert", error.reason, errors=fields or None)


def _accepted(answer: BaseModel) -> FlaskResponse:
    """A 202 with the answer as JSON."""
    return current_app.response_class(
        answer.model_dump_json(), status=202, mimetype="application/json"
    )
