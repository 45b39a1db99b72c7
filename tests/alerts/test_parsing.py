"""Both formats read into one kind of alert; anything unreadable is refused with a reason."""

from __future__ import annotations

from datetime import datetime

import pytest

from helpdesk.alerts.parsing import (
    ACKNOWLEDGED,
    FIRING,
    RESOLVED,
    MalformedAlert,
    parse_alertmanager,
    parse_event,
    routing_key,
)
from tests.alerts.payloads import GROUP_KEY, alertmanager, alertmanager_alert, event, raw


def test_an_alertmanager_notification_gives_its_alerts_with_their_group() -> None:
    body = alertmanager(
        alertmanager_alert("a1", service="VPN", category="Network"),
        alertmanager_alert("a2", status="resolved"),
    )
    first, second = parse_alertmanager(raw(body))
    assert (first.key, first.group, first.status) == ("a1", GROUP_KEY, FIRING)
    assert second.status == RESOLVED
    assert first.title == "HighLatency: p99 latency above 2s"
    assert first.name == "HighLatency on vpn-1:9100"
    assert first.severity == "critical"  # from the common labels
    assert (first.service, first.category) == ("VPN", "Network")
    assert first.started_at == datetime(2026, 11, 30, 8, 55, 0, 123000)
    assert "The VPN gateway answers slowly" in first.details
    assert first.link == "http://prometheus.example.org/graph?g0.expr=latency"


def test_an_alert_without_a_fingerprint_is_known_by_its_labels() -> None:
    alert = alertmanager_alert()
    del alert["fingerprint"]
    once, again = (parse_alertmanager(raw(alertmanager(alert)))[0] for _ in range(2))
    other = alertmanager_alert(instance="vpn-2:9100")
    del other["fingerprint"]
    assert once.key == again.key != parse_alertmanager(raw(alertmanager(other)))[0].key


def test_unknown_fields_are_let_through() -> None:
    body = alertmanager()
    body["newField"] = {"added": "in a later Alertmanager"}
    body["alerts"][0]["silencedBy"] = []
    assert parse_alertmanager(raw(body))[0].key == "5ef77f1f8a3ecfa0"


def test_an_event_gives_one_alert_with_its_details_as_labels() -> None:
    [alert] = parse_event(raw(event(group="databases")))
    assert (alert.key, alert.group, alert.status) == ("disk-full/db-2", "databases", FIRING)
    assert alert.title == "Disk /var is 97% full on db-2"
    assert alert.severity == "error"
    assert alert.started_at == datetime(2026, 11, 30, 7, 58)  # +01:00 in UTC
    assert alert.labels["mount"] == "/var" and alert.labels["source"] == "db-2.example.org"
    assert (alert.service, alert.category) == ("postgres", "disk")
    assert '"free": "3 GB"' in alert.details
    assert alert.link == "https://grafana.example.org/alerting/list"


def test_an_event_without_a_group_is_its_own_group() -> None:
    [alert] = parse_event(raw(event()))
    assert alert.group == alert.key == "disk-full/db-2"


def test_a_trigger_without_a_dedup_key_gets_a_new_one() -> None:
    [alert] = parse_event(raw(event(dedup_key=None)), new_key=lambda: "made-up")
    assert alert.key == "made-up"


def test_acknowledge_and_resolve_name_their_alert_only() -> None:
    [resolved] = parse_event(raw(event("resolve")))
    [acknowledged] = parse_event(raw(event("acknowledge")))
    assert (resolved.status, resolved.key) == (RESOLVED, "disk-full/db-2")
    assert acknowledged.status == ACKNOWLEDGED


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "The body is not JSON"),
        (b"\xff\xfe", "The body is not JSON"),
        (b"[" * 100_000, "The body is not JSON"),
        (b"[]", "the body: Input should be a valid dictionary"),
        (raw({**alertmanager(), "version": "3"}), "version: Input should be '4'"),
        (raw({**alertmanager(), "alerts": []}), "alerts: List should have at least 1 item"),
        (raw({k: v for k, v in alertmanager().items() if k != "groupKey"}), "groupKey: Field"),
    ],
)
def test_a_malformed_notification_is_refused_with_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedAlert) as refused:
        parse_alertmanager(body)
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (event(action="shout"), ["event_action"]),
        (event(severity="catastrophic"), ["payload", "severity"]),
        (event(summary=""), ["payload", "summary"]),
        (event("resolve", dedup_key=None), []),
        ({"event_action": "trigger"}, []),
    ],
)
def test_a_malformed_event_names_the_refused_field(body: dict, field: list) -> None:
    with pytest.raises(MalformedAlert) as refused:
        parse_event(raw(body))
    assert refused.value.errors[0][0] == field


def test_the_routing_key_is_read_from_any_body_without_failing() -> None:
    assert routing_key(raw(event(routing_key="hd_abc"))) == "hd_abc"
    assert routing_key(b"{broken") is None
    assert routing_key(b"[" * 100_000) is None
    assert routing_key(raw({"routing_key": 5})) is None
