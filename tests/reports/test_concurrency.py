"""Incidents opened at once on PostgreSQL all count in the daily summary: its rows are
added to with INSERT ... ON CONFLICT DO UPDATE, which waits for the other transaction's
row instead of losing its count."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import KpiDay
from helpdesk.reads.report_scope import ReportFilter
from helpdesk.reports import summary_rows
from tests.api.conftest import token_for
from tests.factories import gen_user

REPORT = {"subject": "VPN down", "description": "Cannot connect since 9:00."}
PEOPLE, EACH = 4, 5


def _open(app: Flask, headers: dict[str, str], answers: list[int], start: threading.Barrier):
    client = app.test_client()
    start.wait()
    for _ in range(EACH):
        answers.append(client.post("/api/v1/incidents", json=REPORT, headers=headers).status_code)


def test_incidents_opened_at_once_all_count(pg_app: Flask) -> None:
    headers = [token_for(gen_user("user")) for _ in range(PEOPLE)]
    db.session.remove()
    answers: list[int] = []
    start = threading.Barrier(PEOPLE)
    threads = [
        threading.Thread(target=_open, args=(pg_app, person, answers, start)) for person in headers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [201] * PEOPLE * EACH
    every_incident = ReportFilter().summed()
    assert db.session.scalar(select(func.sum(KpiDay.opened)).where(every_incident)) == PEOPLE * EACH
    rows = select(KpiDay.day, KpiDay.team_id, KpiDay.channel, KpiDay.opened).order_by(
        KpiDay.day, KpiDay.team_id, KpiDay.channel
    )
    kept = db.session.execute(rows).all()
    summary_rows.recount()
    db.session.commit()
    assert db.session.execute(rows).all() == kept
