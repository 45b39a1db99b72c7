"""Alert payloads as the monitoring sends them (shapes taken from Alertmanager's and
PagerDuty's documentation), with the parts a test changes as arguments."""

from __future__ import annotations

import json
from typing import Any

GROUP_KEY = '{}/{severity="critical"}:{alertname="HighLatency"}'


def alertmanager_alert(
    fingerprint: str = "5ef77f1f8a3ecfa0",
    status: str = "firing",
    alertname: str = "HighLatency",
    **labels: str,
) -> dict[str, Any]:
    """One alert of a group, firing by default."""
    return {
        "status": status,
        "labels": {"alertname": alertname, "instance": "vpn-1:9100", **labels},
        "annotations": {
            "summary": "p99 latency above 2s",
            "description": "The VPN gateway answers slowly for 5 minutes.",
        },
        "startsAt": "2026-11-30T08:55:00.123Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-30T09:30:00Z",
        "generatorURL": "http://prometheus.example.org/graph?g0.expr=latency",
        "fingerprint": fingerprint,
    }


def alertmanager(
    *alerts: dict[str, Any], status: str | None = None, group_key: str = GROUP_KEY
) -> dict[str, Any]:
    """A version 4 notification of one group (one firing alert by default)."""
    alerts = alerts or (alertmanager_alert(),)
    firing = any(alert["status"] == "firing" for alert in alerts)
    return {
        "receiver": "helpdesk",
        "status": status or ("firing" if firing else "resolved"),
        "alerts": list(alerts),
        "groupLabels": {"alertname": "HighLatency"},
        "commonLabels": {"alertname": "HighLatency", "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.org",
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
    }


def event(
    action: str = "trigger",
    dedup_key: str | None = "disk-full/db-2",
    routing_key: str | None = None,
    **payload: Any,
) -> dict[str, Any]:
    """An Events v2 event; a trigger carries a payload."""
    body: dict[str, Any] = {"event_action": action}
    if routing_key is not None:
        body["routing_key"] = routing_key
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    if action == "trigger":
        body["payload"] = {
            "summary": "Disk /var is 97% full on db-2",
            "source": "db-2.example.org",
            "severity": "error",
            "timestamp": "2026-11-30T08:58:00+01:00",
            "component": "postgres",
            "group": None,
            "class": "disk",
            "custom_details": {"free": "3 GB", "mount": "/var"},
            **payload,
        }
        body["client"] = "Grafana"
        body["client_url"] = "https://grafana.example.org/alerting/list"
        body["links"] = [{"href": "https://grafana.example.org/d/db", "text": "Dashboard"}]
        body["images"] = []
    return body


def raw(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()
