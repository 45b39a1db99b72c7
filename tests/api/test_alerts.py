"""Monitoring alerts become incidents, end to end through the API: Alertmanager's webhook
and Events v2, with real tokens, on a real app and database."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select

from helpdesk import create_app, incidents
from helpdesk.core.settings import SettingsError
from helpdesk.extensions import db
from helpdesk.models import (
    NOTE,
    AlertGroup,
    AuditEvent,
    Incident,
    IncidentLink,
    Message,
    OutboundEmail,
    ReceivedAlert,
    User,
)
from helpdesk.models.audit import INCIDENT
from tests.alerts.payloads import alertmanager, alertmanager_alert, event, raw
from tests.api.conftest import Caller, token_for
from tests.conftest import ManualClock, make_app
from tests.factories import gen_category, gen_service, gen_team, gen_user
from tests.sql_statements import counted_statements

PROBLEM = "application/problem+json"
ALERTMANAGER = "/api/v1/alerts/alertmanager"
EVENTS = "/api/v1/alerts/events"


@pytest.fixture
def monitoring(app: Flask) -> Caller:
    """The integration's service account and its alerts token."""
    user = gen_user("user", name="Monitoring", email="monitoring@example.org")
    return Caller(user, token_for(user, "alerts"))


def post(api: FlaskClient, url: str, payload: dict[str, Any], headers: dict[str, str]) -> Any:
    response = api.post(url, json=payload, headers=headers)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.json


def all_incidents() -> list[Incident]:
    db.session.expire_all()
    return list(db.session.scalars(select(Incident).order_by(Incident.id)))


def group_of(incident: Incident) -> AlertGroup:
    group = db.session.scalar(select(AlertGroup).where(AlertGroup.incident_id == incident.id))
    assert group is not None
    return group


def notes_of(incident: Incident) -> list[str]:
    return list(
        db.session.scalars(
            select(Message.body)
            .where(Message.incident_id == incident.id, Message.kind == NOTE)
            .order_by(Message.id)
        )
    )


def actions_of(incident: Incident) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.about(INCIDENT, incident.id))
            .order_by(AuditEvent.id)
        )
    )


def outcomes() -> list[str]:
    return list(db.session.scalars(select(ReceivedAlert.outcome).order_by(ReceivedAlert.id)))


def linked(one: Incident, other: Incident) -> bool:
    low, high = sorted((one.id, other.id))
    return db.session.get(IncidentLink, (low, high)) is not None


def test_an_alertmanager_alert_fires_three_times_resolves_and_fires_again(
    api: FlaskClient, monitoring: Caller, clock: ManualClock
) -> None:
    vpn = gen_service("VPN")
    firing = alertmanager(alertmanager_alert(service="vpn", category="No such category"))
    answers = []
    for _ in range(3):
        answers.append(post(api, ALERTMANAGER, firing, monitoring.headers))
        clock.advance(minutes=5)
    [incident] = all_incidents()
    assert [answer["outcome"] for answer in answers] == ["opened", "repeated", "repeated"]
    assert answers[0]["incidents"] == [incident.reference]
    assert incident.channel == "alert" and incident.requester_id == monitoring.user.id
    assert incident.subject == "HighLatency: p99 latency above 2s"
    assert (incident.impact, incident.urgency, incident.priority) == ("high", "high", 1)
    assert incident.service_id == vpn.id and incident.category_id is None
    group = group_of(incident)
    assert group.occurrences == 3 and group.last_seen_at == datetime(2026, 11, 30, 9, 10)
    assert notes_of(incident) == []  # repeats are counted, not noted
    assert db.session.scalar(select(func.count(OutboundEmail.id))) == 0  # no acknowledgement

    cleared = alertmanager(alertmanager_alert(status="resolved"))
    assert post(api, ALERTMANAGER, cleared, monitoring.headers)["outcome"] == "resolved"
    [incident] = all_incidents()
    assert incident.status == "resolved" and incident.resolution_code == "no_fault_found"
    assert incident.resolution_notes.startswith("Resolved by monitoring")
    assert "resolved_by_monitoring" in actions_of(incident)
    assert notes_of(incident) == [
        "The monitoring says this alert cleared: HighLatency on vpn-1:9100."
    ]

    clock.advance(hours=1)
    again = post(api, ALERTMANAGER, firing, monitoring.headers)
    first, second = all_incidents()
    assert again == {
        "status": "success",
        "message": "Alerts processed",
        "outcome": "opened",
        "incidents": [second.reference],
    }
    assert second.is_open and second.reopened_from_id == first.id and linked(first, second)
    assert group_of(second).occurrences == 1 and group_of(first).open_key is None
    assert outcomes() == ["opened", "repeated", "repeated", "resolved", "opened"]


def test_an_events_v2_alert_by_routing_key_and_by_header(
    api: FlaskClient, monitoring: Caller
) -> None:
    token = monitoring.headers["Authorization"].removeprefix("Bearer ")
    triggered = event(routing_key=token)
    for _ in range(3):
        answer = post(api, EVENTS, triggered, {})
    assert answer == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "disk-full/db-2",
    }
    [incident] = all_incidents()
    assert group_of(incident).occurrences == 3 and incident.requester_id == monitoring.user.id
    assert (incident.impact, incident.urgency) == ("medium", "high")  # severity error
    assert "Labels:\n- class: disk" in incident.description

    post(api, EVENTS, event("resolve"), monitoring.headers)
    [incident] = all_incidents()
    assert incident.status == "resolved"

    post(api, EVENTS, triggered, {})
    first, second = all_incidents()
    assert second.is_open and linked(first, second)


def test_a_repeat_costs_one_lookup_and_one_update_besides_its_record(
    api: FlaskClient, monitoring: Caller
) -> None:
    for _ in range(2):
        post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    with counted_statements() as statements:
        post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    on_alerts = [
        " ".join(statement.split()[:2])
        for statement in statements
        if "alert" in statement and "SAVEPOINT" not in statement
    ]
    assert on_alerts == [
        "SELECT alert_groups.id,",
        "UPDATE alert_groups",
        "INSERT INTO",
    ]
    assert "received_alerts" in statements[-1]


def test_a_trigger_without_a_dedup_key_is_an_alert_of_its_own(
    api: FlaskClient, monitoring: Caller
) -> None:
    keys = {post(api, EVENTS, event(dedup_key=None), monitoring.headers)["dedup_key"] for _ in "ab"}
    assert len(keys) == 2 and len(all_incidents()) == 2


def test_severity_and_labels_follow_the_configured_map(
    app: Flask, api: FlaskClient, monitoring: Caller
) -> None:
    app.config["ALERT_SEVERITY_MAP"] = {"critical": "medium/low"}
    gen_category("Network")
    labelled = alertmanager_alert("b2", category="network", urgency="high")
    post(api, ALERTMANAGER, alertmanager(labelled), monitoring.headers)
    [incident] = all_incidents()
    assert (incident.impact, incident.urgency) == ("medium", "high")
    assert incident.category is not None and incident.category.name == "Network"


def _reply(incident: Incident, agent: User) -> None:
    incidents.add_reply(incident, agent, "Looking at the gateway now.")


def _assign(incident: Incident, agent: User) -> None:
    incidents.assign(incident, agent, gen_team(members=[agent]).id, agent.id)


def _note(incident: Incident, agent: User) -> None:
    incidents.add_note(incident, agent, "Probably the upstream provider.")


@pytest.mark.parametrize("touch", [_reply, _assign, _note])
def test_a_cleared_alert_leaves_an_incident_an_agent_touched_open_with_a_note(
    api: FlaskClient, monitoring: Caller, touch: Any
) -> None:
    post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    [incident] = all_incidents()
    touch(incident, gen_user("agent"))
    cleared = alertmanager(alertmanager_alert(status="resolved"))
    assert post(api, ALERTMANAGER, cleared, monitoring.headers)["outcome"] == "cleared"
    [incident] = all_incidents()
    assert incident.is_open and incident.resolved_at is None
    assert notes_of(incident)[-1] == (
        "The monitoring says this alert cleared: HighLatency on vpn-1:9100."
    )
    # It fires again while the agent still works on it: the same incident, noted.
    assert post(api, ALERTMANAGER, alertmanager(), monitoring.headers)["outcome"] == "refired"
    [incident] = all_incidents()
    assert "fires again" in notes_of(incident)[-1] and group_of(incident).occurrences == 2


def test_the_service_account_is_never_mailed_but_people_copied_on_are(
    api: FlaskClient, monitoring: Caller
) -> None:
    post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    [incident] = all_incidents()
    agent, on_call = gen_user("agent"), gen_user("user", email="oncall@example.org")
    incidents.add_participant(incident, agent, on_call)
    incidents.add_reply(incident, agent, "Failing over to the second gateway.")
    cleared = alertmanager(alertmanager_alert(status="resolved"))
    post(api, ALERTMANAGER, cleared, monitoring.headers)
    incidents.resolve(all_incidents()[0], agent, "fixed", "Failed over.")
    mailed = db.session.scalars(select(OutboundEmail.recipient)).all()
    assert mailed and set(mailed) == {"oncall@example.org"}


def test_an_incident_the_agent_resolved_gets_a_new_one_when_the_alert_fires_again(
    api: FlaskClient, monitoring: Caller
) -> None:
    post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    [incident] = all_incidents()
    incidents.resolve(incident, gen_user("agent"), "fixed", "Restarted the gateway.")
    post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    first, second = all_incidents()
    assert first.status == "resolved" and second.is_open and linked(first, second)


def test_a_storm_of_fifty_alerts_in_one_group_is_one_incident(
    api: FlaskClient, monitoring: Caller
) -> None:
    storm = [alertmanager_alert(f"fp{n}", instance=f"vpn-{n}:9100") for n in range(50)]
    post(api, ALERTMANAGER, alertmanager(*storm), monitoring.headers)
    for n in range(50):  # and Events v2 alerts of one group, one event each
        post(api, EVENTS, event(dedup_key=f"disk-{n}", group="db-cluster"), monitoring.headers)
    storm_incident, group_incident = all_incidents()
    assert group_of(storm_incident).occurrences == 50 == group_of(group_incident).occurrences

    calm = [{**alert, "status": "resolved"} for alert in storm]
    assert post(api, ALERTMANAGER, alertmanager(*calm), monitoring.headers)["outcome"] == "resolved"
    storm_incident, group_incident = all_incidents()
    assert storm_incident.status == "resolved"
    [note] = notes_of(storm_incident)
    assert note.startswith("The monitoring says these 50 alerts cleared") and "30 more" in note


def test_an_incident_stays_open_while_any_alert_of_its_group_fires(
    api: FlaskClient, monitoring: Caller
) -> None:
    for key in ("disk-1", "disk-2"):
        post(api, EVENTS, event(dedup_key=key, group="db-cluster"), monitoring.headers)
    post(api, EVENTS, event("resolve", dedup_key="disk-1"), monitoring.headers)
    [incident] = all_incidents()
    assert incident.is_open
    post(api, EVENTS, event("resolve", dedup_key="disk-2"), monitoring.headers)
    assert all_incidents()[0].status == "resolved"


def test_acknowledgements_and_unknown_resolutions_change_nothing(
    api: FlaskClient, monitoring: Caller
) -> None:
    post(api, EVENTS, event(), monitoring.headers)
    post(api, EVENTS, event("acknowledge"), monitoring.headers)
    post(api, EVENTS, event("resolve", dedup_key="never-fired"), monitoring.headers)
    [incident] = all_incidents()
    assert incident.is_open and notes_of(incident) == []
    assert outcomes() == ["opened", "acknowledged", "ignored"]


@pytest.mark.parametrize(
    ("url", "body", "reason"),
    [
        (ALERTMANAGER, b'{"version": "4", ', "The body is not JSON"),
        (ALERTMANAGER, raw({**alertmanager(), "version": "3"}), "version: Input should be '4'"),
        (ALERTMANAGER, raw({"version": "4", "status": "firing"}), "groupKey: Field required"),
        (EVENTS, raw({"event_action": "trigger"}), "a trigger needs a payload"),
        (EVENTS, raw(event(severity="bad")), "payload.severity: Input should be"),
    ],
)
def test_a_malformed_payload_is_a_400_problem_and_is_kept(
    api: FlaskClient, monitoring: Caller, url: str, body: bytes, reason: str
) -> None:
    response = api.post(
        url, data=body, headers={**monitoring.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.json["code"] == "malformed_alert" and reason in response.json["detail"]
    [kept] = db.session.scalars(select(ReceivedAlert)).all()
    assert (kept.outcome, kept.body, kept.user_id) == (
        "malformed",
        body.decode(),
        monitoring.user.id,
    )
    assert kept.error is not None and reason in kept.error
    assert all_incidents() == []


def test_a_payload_that_fails_is_kept_with_the_error_and_changes_nothing(
    api: FlaskClient, monitoring: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_incident: Incident, *_args: object) -> None:
        raise RuntimeError("the disk is full")

    post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    monkeypatch.setattr("helpdesk.alerts.settling.resolve_unattended", broken)
    with pytest.raises(RuntimeError):
        api.post(
            ALERTMANAGER,
            json=alertmanager(alertmanager_alert(status="resolved")),
            headers=monitoring.headers,
        )
    [incident] = all_incidents()
    assert incident.is_open and notes_of(incident) == []  # the note went with the rest
    failed = db.session.scalars(select(ReceivedAlert).order_by(ReceivedAlert.id)).all()[-1]
    assert (failed.outcome, failed.error) == ("failed", "RuntimeError: the disk is full")
    assert '"status": "resolved"' in failed.body


def test_only_an_alerts_token_may_post_alerts(api: FlaskClient, requester: Caller) -> None:
    write_token = requester.headers["Authorization"].removeprefix("Bearer ")
    refused = [
        api.post(ALERTMANAGER, json=alertmanager(), headers=requester.headers),
        api.post(EVENTS, json=event(), headers=requester.headers),
        api.post(EVENTS, json=event(routing_key=write_token)),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert {r.json["code"] for r in refused} == {"insufficient_scope"}
    unknown = api.post(EVENTS, json=event(routing_key="hd_not-a-token"))
    assert unknown.status_code == 401 and unknown.mimetype == PROBLEM
    assert db.session.scalar(select(func.count(ReceivedAlert.id))) == 0


def test_the_agent_page_shows_the_alert_facts(
    app: Flask, api: FlaskClient, monitoring: Caller, auth: Any
) -> None:
    for _ in range(2):
        post(api, ALERTMANAGER, alertmanager(), monitoring.headers)
    [incident] = all_incidents()
    agent = gen_user("agent")
    auth.login(agent.email)
    page = auth._client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    assert "Prometheus Alertmanager" in page
    assert "<dt>Occurrences</dt><dd>2</dd>" in page and "<dt>Last seen</dt>" in page


def test_a_bad_severity_map_stops_the_app_at_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ALERT_SEVERITY_MAP must give each severity"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ALERT_SEVERITY_MAP": {"critical": "red"}})


def test_the_alert_operations_keep_their_contract(app: Flask, monitoring: Caller) -> None:
    """schemathesis with an alerts token (the contract test's tokens are write tokens, which
    these operations refuse): no 5xx, and every answer as documented."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/alerts/")
    ]
    assert len(operations) == 2
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def keeps_its_contract(case: Case) -> None:
            case.call_and_validate(
                headers=monitoring.headers, excluded_checks=[positive_data_acceptance]
            )

        keeps_its_contract()


SENDERS = 6


def send_at_once(app: Flask, payloads: list[dict[str, Any]]) -> list[int]:
    """Post each payload from its own thread, all released at once; the statuses."""
    account = gen_user("user", email="monitoring@example.org")
    headers = token_for(account, "alerts")
    db.session.commit()
    start = threading.Barrier(len(payloads))
    answers: list[int] = []

    def send(payload: dict[str, Any]) -> None:
        with app.app_context():
            client = app.test_client()
            start.wait()
            answers.append(client.post(ALERTMANAGER, json=payload, headers=headers).status_code)
            db.session.remove()

    threads = [threading.Thread(target=send, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.postgres
def test_notifications_of_one_new_alert_at_once_open_one_incident(pg_app: Flask) -> None:
    assert send_at_once(pg_app, [alertmanager()] * SENDERS) == [202] * SENDERS
    [incident] = all_incidents()
    assert group_of(incident).occurrences == SENDERS
    assert sorted(outcomes()) == ["opened"] + ["repeated"] * (SENDERS - 1)


@pytest.mark.postgres
def test_new_alerts_of_one_new_group_at_once_open_one_incident(pg_app: Flask) -> None:
    payloads = [alertmanager(alertmanager_alert(f"fp{n}")) for n in range(SENDERS)]
    assert send_at_once(pg_app, payloads) == [202] * SENDERS
    [incident] = all_incidents()
    assert group_of(incident).occurrences == SENDERS
    assert sorted(outcomes()) == ["added"] * (SENDERS - 1) + ["opened"]


def test_alerts_have_their_own_higher_rate_limit(tmp_path: Path) -> None:
    """A flood of one alert is let in (each repeat counts on the incident) past the API's
    own limit, up to ALERTS_RATE_LIMIT; the rest of the API keeps its limit."""
    app = make_app(
        tmp_path / "instance",
        RATELIMIT_ENABLED=True,
        API_RATE_LIMIT="2 per minute",
        ALERTS_RATE_LIMIT="5 per minute",
    )
    with app.app_context():
        person = gen_user("user")
        alerts_token, read_token = token_for(person, "alerts"), token_for(person, "read")
        client = app.test_client()
        answers = [
            client.post(ALERTMANAGER, json=alertmanager(), headers=alerts_token).status_code
            for _ in range(6)
        ]
        assert answers == [202, 202, 202, 202, 202, 429]
        [incident] = all_incidents()
        assert group_of(incident).occurrences == 5
        reads = [client.get("/api/v1/categories", headers=read_token).status_code for _ in range(3)]
        assert reads == [200, 200, 429]
        db.session.remove()
