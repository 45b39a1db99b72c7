"""Admins review the monitoring payloads as received: newest first, filtered by outcome,
a malformed one with its error, each with its incident and its raw payload, escaped."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.alerts.payloads import alertmanager
from tests.api.conftest import token_for
from tests.factories import gen_user


def test_an_admin_reads_what_the_monitoring_sent(client: FlaskClient, auth) -> None:
    monitoring = token_for(gen_user("user", email="monitoring@example.org"), "alerts")
    opened = client.post("/api/v1/alerts/alertmanager", json=alertmanager(), headers=monitoring)
    reference = opened.json["incidents"][0]
    hostile = '{"version": "4", "<script>": 1'
    client.post(
        "/api/v1/alerts/alertmanager",
        data=hostile,
        headers={**monitoring, "Content-Type": "application/json"},
    )
    admin = gen_user("admin")
    auth.login(admin.email)
    page = client.get("/admin/alerts").get_data(as_text=True)
    assert page.index("malformed") < page.index(reference)  # newest first
    assert "monitoring@example.org" in page and "HighLatency" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    only_malformed = client.get("/admin/alerts?outcome=malformed").get_data(as_text=True)
    assert "&lt;script&gt;" in only_malformed and reference not in only_malformed
    nothing = client.get("/admin/alerts?outcome=resolved").get_data(as_text=True)
    assert "No alerts received with the outcome resolved" in nothing
