"""Webhooks out (helpdesk.webhooks): queued in the transaction of the change, posted by the
worker to a real HTTP server on 127.0.0.1, signed per the Standard Webhooks spec, retried
with backoff, disabled after a day of failures, and managed on the admin pages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from standardwebhooks.webhooks import Webhook

from helpdesk import incidents
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, User, WebhookDelivery, WebhookSubscription
from helpdesk.sla_policies import clocks, store
from helpdesk.webhooks import delivery, subscriptions
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_team, gen_user
from tests.worker_passes import TICKS, tick


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str) -> dict[str, object]:
        """The payload, once its signature checks out with `secret` (raises otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)  # type: ignore[no-any-return]


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every request and answers the statuses in
    `script` in turn, then 200 (or `otherwise`)."""

    url: str
    script: list[int] = field(default_factory=list)
    otherwise: int = 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Received) -> int:
        with self.lock:
            self.received.append(request)
            return self.script.pop(0) if self.script else self.otherwise


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver; stopped after the test."""
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            request = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            status = holder["receiver"].answer(request)
            body = b'{"ok": true}' if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks/helpdesk")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback(app: Flask) -> Flask:
    """The app with private destinations allowed (the receiver is on 127.0.0.1)."""
    reconfigure(app, WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=True)
    return app


@pytest.fixture
def admin(app: Flask) -> User:
    return gen_user("admin")


def subscribe(admin: User, receiver: Receiver, *events: str) -> WebhookSubscription:
    return subscriptions.create_subscription(admin, receiver.url, events, "Chat bridge")


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def resolve(incident: Incident) -> None:
    incidents.resolve(incident, gen_user("agent"), "fixed", "Replaced the toner.")


def test_a_resolved_incident_is_delivered_once_with_a_valid_signature(
    loopback: Flask, clock, admin: User, receiver: Receiver
) -> None:
    subscription = subscribe(admin, receiver, "incident.resolved")
    requester = gen_user("user", email="ada@example.org")
    incident = gen_incident(requester, subject="Printer out of toner")
    assert deliveries() == []  # opened: not wanted

    resolve(incident)
    assert delivery.send_due(clock.now) == 1
    assert delivery.send_due(clock.now) == 0

    [request] = receiver.received
    assert request.path == "/hooks/helpdesk"
    assert request.headers["content-type"] == "application/json"
    payload = request.verified(subscription.secret)
    assert payload["type"] == "incident.resolved"
    assert payload["timestamp"] == "2026-11-30T09:00:00Z"
    data = payload["data"]
    assert data["incident"]["reference"] == incident.reference
    assert data["incident"]["subject"] == "Printer out of toner"
    assert data["incident"]["status"] == "resolved"
    assert data["incident"]["requester"] == {"name": requester.name, "email": "ada@example.org"}
    assert data["incident"]["url"] == f"http://helpdesk.test/agent/incidents/{incident.reference}"
    assert data["resolution"] == {"code": "fixed", "notes": "Replaced the toner."}
    [sent] = deliveries()
    assert request.headers["webhook-id"] == sent.message_id
    assert (sent.attempts, sent.last_status, sent.next_attempt_at) == (1, 200, None)
    assert sent.delivered_at == clock.now


def test_a_receiver_failing_twice_gets_it_after_backoff_once_with_one_id(
    loopback: Flask, clock, admin: User, receiver: Receiver
) -> None:
    subscription = subscribe(admin, receiver, "incident.resolved")
    receiver.script = [500, 503]
    resolve(gen_incident())
    start = clock.now

    assert delivery.send_due(clock.now) == 1
    [pending] = deliveries()
    assert pending.last_status == 500 and pending.last_error == "HTTP 500 Internal Server Error"
    assert pending.last_response == "receiver says no"
    assert start + timedelta(seconds=30) <= pending.next_attempt_at <= start + timedelta(seconds=33)
    assert delivery.send_due(clock.now) == 0  # not due yet
    db.session.expire_all()
    assert subscription.failing_since == start

    clock.advance(seconds=40)
    assert delivery.send_due(clock.now) == 1  # 503, next in about a minute
    [pending] = deliveries()
    assert pending.attempts == 2
    assert pending.next_attempt_at >= clock.now + timedelta(seconds=60)
    clock.advance(seconds=50)
    assert delivery.send_due(clock.now) == 0
    clock.advance(seconds=30)
    assert delivery.send_due(clock.now) == 1  # accepted
    clock.advance(hours=2)
    assert delivery.send_due(clock.now) == 0

    assert len(receiver.received) == 3
    assert len({request.headers["webhook-id"] for request in receiver.received}) == 1
    for request in receiver.received:
        assert request.verified(subscription.secret)["type"] == "incident.resolved"
    [sent] = deliveries()
    assert (sent.attempts, sent.last_status, sent.last_error) == (3, 200, None)
    assert sent.delivered_at is not None
    db.session.expire_all()
    assert subscription.failing_since is None


def test_a_delivery_is_queued_in_the_transaction_of_the_change(
    loopback: Flask, admin: User, receiver: Receiver
) -> None:
    subscribe(admin, receiver, "incident.opened")
    requester = gen_user()
    with pytest.raises(RuntimeError), transaction():
        gen_incident(requester)
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
        raise RuntimeError("the change fails after the event")
    assert deliveries() == []

    incident = gen_incident(requester)
    [queued] = deliveries()
    assert queued.event == "incident.opened"
    assert queued.payload["data"]["incident"]["reference"] == incident.reference
    assert receiver.received == []  # nothing is posted inside the change


def test_without_subscriptions_an_incident_costs_one_small_query(app: Flask) -> None:
    requester = gen_user()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        gen_incident(requester)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    about_webhooks = [s for s in statements if "webhook" in s]
    assert len(about_webhooks) == 1
    assert "webhook_subscriptions" in about_webhooks[0]
    assert deliveries() == []


def test_only_subscribed_active_events_are_queued_and_notes_never(
    loopback: Flask, admin: User, receiver: Receiver
) -> None:
    replies = subscribe(admin, receiver, "incident.public_reply")
    other = subscribe(admin, receiver, "incident.public_reply")
    subscriptions.delete_subscription(admin, other.id)
    requester = gen_user(email="grace@example.org")
    incident = gen_incident(requester)
    agent = gen_user("agent")
    incidents.add_note(incident, agent, "Internal: the vendor owes us one.")
    assert deliveries() == []
    incidents.add_reply(incident, agent, "Try the other tray, please.")
    [queued] = deliveries()
    assert queued.subscription_id == replies.id
    reply = queued.payload["data"]["reply"]
    assert reply["body"] == "Try the other tray, please."
    assert reply["author"] == {"name": agent.name, "email": agent.email}
    assert "vendor" not in json.dumps(queued.payload)


def test_updates_and_sla_events_carry_what_changed(
    loopback: Flask, clock, admin: User, receiver: Receiver
) -> None:
    store.create_calendar(None, "Always", {"timezone": "UTC", "hours": {}})
    targets = {
        f"P{n}": {"response": "1h", "resolution": "2h", "clock": "24x7"} for n in range(1, 6)
    }
    store.create_policy(
        None, "Around the clock", store.PolicyFields("Always", targets, is_default=True)
    )
    subscribe(admin, receiver, "incident.updated", "incident.sla_warning", "incident.sla_breach")
    agent = gen_user("agent")
    team = gen_team("Network", [agent])
    incident = gen_incident()
    assert deliveries() == []
    incidents.assign(incident, agent, team.id, agent.id)
    updates = deliveries()
    assert {row.payload["data"]["change"] for row in updates} == {"assigned", "status"}
    data = updates[0].payload["data"]["incident"]
    assert (data["assigned_team"], data["assigned_agent"]["email"]) == ("Network", agent.email)
    assert data["response_due_at"] == "2026-11-30T10:00:00Z"

    clock.advance(hours=3)
    clocks.check_due(clock.now)
    sla = {
        (row.event, row.payload["data"]["sla"]["target"]): row.payload["data"]["sla"]["at"]
        for row in deliveries()
        if row.event.startswith("incident.sla")
    }
    assert sla == {
        ("incident.sla_warning", "response"): "2026-11-30T09:45:00Z",
        ("incident.sla_breach", "response"): "2026-11-30T10:00:00Z",
        ("incident.sla_warning", "resolution"): "2026-11-30T10:30:00Z",
        ("incident.sla_breach", "resolution"): "2026-11-30T11:00:00Z",
    }


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_private_destinations_are_refused_unless_allowed(app: Flask, admin: User, url: str) -> None:
    with pytest.raises(InvalidInput, match="private or reserved address"):
        subscriptions.create_subscription(admin, url, ["incident.opened"])
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0
    reconfigure(app, WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=True)
    assert subscriptions.create_subscription(admin, url, ["incident.opened"]).active


def test_a_destination_is_checked_again_at_delivery(
    loopback: Flask, clock, admin: User, receiver: Receiver
) -> None:
    subscribe(admin, receiver, "incident.opened")
    gen_incident()
    reconfigure(loopback, WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=False)
    assert delivery.send_due(clock.now) == 1
    assert receiver.received == []
    [refused] = deliveries()
    assert "private or reserved address" in (refused.last_error or "")
    assert refused.delivered_at is None and refused.next_attempt_at is not None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/hook", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("hooks.example.org/helpdesk", "Only http:// and https://"),
        ("https:///no-host", "needs a host name"),
        ("https://user:pw@example.org/", "no user name or password"),
        ("https://example.org:99999/", "cannot be read"),
        ("https://example.org/" + "a" * 2000, "too long"),
        ("", "Enter the URL"),
    ],
)
def test_only_http_urls_with_a_host_are_accepted(
    loopback: Flask, admin: User, url: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        subscriptions.create_subscription(admin, url, ["incident.opened"])


def test_events_must_be_known_and_only_admins_subscribe(
    loopback: Flask, admin: User, receiver: Receiver
) -> None:
    with pytest.raises(InvalidInput, match=r"Unknown webhook event: incident\.deleted"):
        subscriptions.create_subscription(admin, receiver.url, ["incident.deleted"])
    with pytest.raises(InvalidInput, match="at least one event"):
        subscriptions.create_subscription(admin, receiver.url, [])
    with pytest.raises(incidents.NotAllowed):
        subscriptions.create_subscription(gen_user("agent"), receiver.url, ["incident.opened"])


def test_a_subscription_failing_for_a_day_is_disabled_and_shown_to_admins(
    loopback: Flask, clock, admin: User, receiver: Receiver, client, auth
) -> None:
    receiver.otherwise = 500
    subscription = subscribe(admin, receiver, "incident.opened", "incident.resolved")
    incident = gen_incident()
    assert delivery.send_due(clock.now) == 1
    clock.advance(hours=12)
    resolve(incident)  # a second delivery, pending when the subscription is disabled
    assert delivery.send_due(clock.now) == 2
    db.session.expire_all()
    assert subscription.active

    clock.advance(hours=12, minutes=1)
    assert delivery.send_due(clock.now) == 2
    db.session.expire_all()
    assert not subscription.active
    assert subscription.disabled_at == clock.now
    assert (
        subscription.disabled_reason
        == "Failing since 2026-11-30 09:00 UTC: HTTP 500 Internal Server Error"
    )
    assert all(row.next_attempt_at is None and row.delivered_at is None for row in deliveries())
    audited = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "webhook_subscription")
    ).all()
    assert "disabled" in audited
    clock.advance(hours=2)
    assert delivery.send_due(clock.now) == 0
    gen_incident()
    assert len(deliveries()) == 2  # a disabled subscription queues nothing

    auth.login(admin.email)
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "Disabled" in listing and "Failing since 2026-11-30 09:00 UTC" in listing
    page = client.get(f"/admin/webhooks/{subscription.id}").get_data(as_text=True)
    assert "Enable again" in page and "HTTP 500 Internal Server Error" in page
    assert client.post(f"/admin/webhooks/{subscription.id}/enable").status_code == 302
    db.session.expire_all()
    assert subscription.active and subscription.failing_since is None
    assert subscription.disabled_reason is None


def test_admin_pages_create_edit_rotate_resend_and_delete(
    loopback: Flask, clock, admin: User, receiver: Receiver, client, auth
) -> None:
    auth.login(admin.email)
    assert "No webhooks yet" in client.get("/admin/webhooks").get_data(as_text=True)
    form = {"url": receiver.url, "description": "Ops chat", "events": ["incident.opened"]}
    response = client.post("/admin/webhooks", data=form)
    created = db.session.scalars(select(WebhookSubscription)).one()
    assert response.headers["Location"].endswith(f"/admin/webhooks/{created.id}")
    page = client.get(f"/admin/webhooks/{created.id}").get_data(as_text=True)
    assert created.secret.startswith("whsec_") and created.secret in page
    assert "Ops chat" in client.get("/admin/webhooks").get_data(as_text=True)

    refused = client.post("/admin/webhooks", data=form | {"url": "gopher://example.org/"})
    assert refused.status_code == 422
    assert "Only http:// and https://" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 1

    edit = form | {"events": ["incident.opened", "incident.closed"], "description": "Ops"}
    assert client.post(f"/admin/webhooks/{created.id}", data=edit).status_code == 302
    db.session.expire_all()
    assert created.events == ["incident.opened", "incident.closed"]
    assert created.description == "Ops"
    bad_edit = client.post(f"/admin/webhooks/{created.id}", data=edit | {"events": []})
    assert bad_edit.status_code == 422
    assert "Choose at least one event" in bad_edit.get_data(as_text=True)

    old_secret = created.secret
    client.post(f"/admin/webhooks/{created.id}/secret")
    db.session.expire_all()
    assert created.secret != old_secret and created.secret.startswith("whsec_")

    receiver.script = [502]
    gen_incident()
    delivery.send_due(clock.now)
    [failed] = deliveries()
    log = client.get(f"/admin/webhooks/{created.id}").get_data(as_text=True)
    assert "HTTP 502 Bad Gateway" in log and "incident.opened" in log and "Send again" in log
    clock.advance(seconds=5)
    again = f"/admin/webhooks/{created.id}/deliveries/{failed.id}/again"
    assert client.post(again).status_code == 302
    [failed] = deliveries()
    assert failed.next_attempt_at == clock.now
    assert delivery.send_due(clock.now) == 1
    [sent] = deliveries()
    assert sent.delivered_at == clock.now
    assert receiver.received[-1].verified(created.secret)["type"] == "incident.opened"

    assert client.get("/admin/webhooks/999").status_code == 404
    assert client.post(f"/admin/webhooks/{created.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0
    assert deliveries() == []


def test_admin_webhook_forms_need_the_csrf_token(tmp_path: Path, receiver: Receiver) -> None:
    from tests.conftest import make_app

    csrf_app = make_app(
        tmp_path / "csrf", WTF_CSRF_ENABLED=True, WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=True
    )
    with csrf_app.app_context():
        admin = gen_user("admin")
        client = csrf_app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(admin.id)
            session["_fresh"] = True
        form = {"url": receiver.url, "events": ["incident.opened"]}
        assert client.post("/admin/webhooks", data=form).status_code == 400
        assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0
        db.session.remove()


@pytest.mark.postgres
def test_two_ticks_at_once_deliver_each_delivery_once(pg_app: Flask, receiver: Receiver) -> None:
    # The tick processes read the instance's config file.
    Path(pg_app.instance_path, "config.toml").write_text(
        "webhook_allow_private_destinations = true\n"
    )
    reconfigure(pg_app, WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=True)
    admin = gen_user("admin")
    subscribe(admin, receiver, "incident.opened")
    requester = gen_user()
    count = delivery.ROUND * 2 + 5
    for _ in range(count):
        gen_incident(requester)
    db.session.commit()

    sent = [done["webhooks"] for done in tick(pg_app, TICKS)]
    assert sum(sent) == count
    ids = [request.headers["webhook-id"] for request in receiver.received]
    assert len(ids) == count and len(set(ids)) == count
    assert all(row.delivered_at is not None for row in deliveries())
    assert tick(pg_app)[0]["webhooks"] == 0
