"""The two alert formats the helpdesk takes, as pydantic models: Prometheus Alertmanager's
webhook (version 4) and PagerDuty's Events API v2 (which Grafana, Zabbix, Datadog, Uptime
Kuma and many others send). They check what the helpdesk needs and let everything else
through (senders add fields over time), and they make the API document's request schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KEY_MAX = 255  # PagerDuty's limit on a dedup_key
SUMMARY_MAX = 1024  # and on a summary


class Lenient(BaseModel):
    """A part of a payload: the fields named are checked, any others are kept as sent."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class AlertmanagerAlert(Lenient):
    """One alert of an Alertmanager group."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(description="The alert's labels, alertname among them.")
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime | None = None
    endsAt: datetime | None = None
    generatorURL: str = ""
    fingerprint: str | None = Field(
        default=None,
        max_length=KEY_MAX,
        description="Identifies the alert across notifications (from its labels when absent).",
    )


class AlertmanagerWebhook(Lenient):
    """Alertmanager's webhook notification (`webhook_configs`): one group of alerts."""

    version: Literal["4"]
    groupKey: str = Field(min_length=1, description="The group: one incident per group.")
    truncatedAlerts: int = 0
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    alerts: list[AlertmanagerAlert] = Field(min_length=1)


class EventPayload(Lenient):
    """What a triggering event says about the problem."""

    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    source: str = Field(min_length=1, description="The affected system (a host name, say).")
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: datetime | None = None
    component: str | None = None
    group: str | None = Field(
        default=None, description="Events of one group share one incident (else per dedup_key)."
    )
    class_: str | None = Field(default=None, alias="class")
    custom_details: Any = None


class EventsV2(Lenient):
    """A PagerDuty Events API v2 event: trigger, acknowledge or resolve."""

    routing_key: str | None = Field(
        default=None,
        description="An API token with the alerts scope, for senders that cannot set headers.",
    )
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: str | None = Field(default=None, min_length=1, max_length=KEY_MAX)
    payload: EventPayload | None = None
    client: str | None = None
    client_url: str | None = None
    links: list[Any] = Field(default_factory=list)
    images: list[Any] = Field(default_factory=list)

    @model_validator(mode="after")
    def _says_what_it_is_about(self) -> EventsV2:
        """A trigger describes the problem; an acknowledgement or a resolution names the
        alert it is about."""
        if self.event_action == "trigger" and self.payload is None:
            raise ValueError("a trigger needs a payload (summary, source, severity)")
        if self.event_action != "trigger" and not self.dedup_key:
            raise ValueError(f"{self.event_action} needs the dedup_key of the alert")
        return self
