"""Monitoring alerts as incidents: Prometheus Alertmanager's webhook and PagerDuty's Events
API v2 in, incidents out, through the incident service (intake.receive). Parsing and the
severity mapping are pure; grouping, settling and recording write in the intake's unit."""

from helpdesk.alerts.intake import Receipt, receive
from helpdesk.alerts.lookups import AlertFacts, alert_facts
from helpdesk.alerts.mapping import severity_map
from helpdesk.alerts.parsing import SOURCE_NAMES, MalformedAlert, routing_key

__all__ = [
    "SOURCE_NAMES",
    "AlertFacts",
    "MalformedAlert",
    "Receipt",
    "alert_facts",
    "receive",
    "routing_key",
    "severity_map",
]
