"""Idempotency-Key: a create retried with its key makes one incident, even when the two
requests race each other on PostgreSQL, and the worker forgets keys after a day."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select

from helpdesk import idempotency_keys
from helpdesk.extensions import db
from helpdesk.models import IdempotencyKey, Incident
from tests.api.conftest import token_for
from tests.factories import gen_incident, gen_user

REPORT = {"subject": "VPN down", "description": "Cannot connect since 9:00."}


def _post(app: Flask, headers: dict[str, str], answers: list[int], start: threading.Barrier):
    client = app.test_client()
    start.wait()
    answers.append(client.post("/api/v1/incidents", json=REPORT, headers=headers).status_code)


def test_two_racing_requests_with_one_key_open_one_incident(pg_app: Flask):
    headers = {**token_for(gen_user("user")), "Idempotency-Key": "racing"}
    db.session.remove()
    answers: list[int] = []
    start = threading.Barrier(4)
    threads = [
        threading.Thread(target=_post, args=(pg_app, headers, answers, start)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [201, 201, 201, 201]
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_a_key_is_forgotten_after_a_day(app: Flask, clock):
    headers = {**token_for(gen_user("user")), "Idempotency-Key": "daily"}
    client = app.test_client()
    first = client.post("/api/v1/incidents", json=REPORT, headers=headers)
    clock.advance(hours=23, minutes=59)
    assert idempotency_keys.forget_expired(clock.now) == 0
    replayed = client.post("/api/v1/incidents", json=REPORT, headers=headers)
    assert replayed.json["reference"] == first.json["reference"]
    clock.advance(minutes=2)
    assert idempotency_keys.forget_expired(clock.now) == 1
    fresh = client.post("/api/v1/incidents", json=REPORT, headers=headers)
    assert fresh.status_code == 201 and fresh.json["reference"] != first.json["reference"]


def test_an_expired_key_the_worker_has_not_forgotten_yet_is_free(app: Flask, clock):
    headers = {**token_for(gen_user("user")), "Idempotency-Key": "stale"}
    client = app.test_client()
    first = client.post("/api/v1/incidents", json=REPORT, headers=headers)
    clock.advance(hours=25)
    fresh = client.post("/api/v1/incidents", json=REPORT, headers=headers)
    assert fresh.status_code == 201 and fresh.json["reference"] != first.json["reference"]
    again = client.post("/api/v1/incidents", json=REPORT, headers=headers)
    assert again.json["reference"] == fresh.json["reference"]
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_an_overlong_key_is_refused(app: Flask):
    headers = {**token_for(gen_user("user")), "Idempotency-Key": "k" * 256}
    refused = app.test_client().post("/api/v1/incidents", json=REPORT, headers=headers)
    assert refused.status_code in (400, 422) and refused.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_an_upload_with_a_nameless_part_is_refused_not_a_crash(app: Flask):
    """Found by bench/api_fuzz.py: a part without a name broke the fingerprint of the
    request and the schema's error answer."""
    person = gen_user("user")
    incident = gen_incident(person)
    headers = {**token_for(person), "Idempotency-Key": "nameless"}
    body = (
        b"--B\r\nContent-Disposition: form-data\r\n\r\nno name\r\n"
        b'--B\r\nContent-Disposition: form-data; name="body"\r\n\r\nLog\r\n--B--\r\n'
    )
    answer = app.test_client().post(
        f"/api/v1/incidents/{incident.reference}/attachments",
        data=body,
        headers=headers,
        content_type="multipart/form-data; boundary=B",
    )
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert "needs a name" in answer.json["detail"]
