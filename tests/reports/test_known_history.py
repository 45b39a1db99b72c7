"""The KPIs of a hand-built history with known answers (tests/reports/known_history.py),
imported with `helpdesk import` as a team moving in would: every measure exactly, on
SQLite and PostgreSQL, and the API answers the same numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from helpdesk import incidents, major_incidents
from helpdesk.extensions import db
from helpdesk.models import Service, Team, User
from helpdesk.reads.kpis import kpis
from helpdesk.reads.report_breakdowns import top_opened
from helpdesk.reads.report_scope import ReportFilter, ReportRange
from helpdesk.reads.report_series import ages, series
from helpdesk.reads.report_today import today
from helpdesk.sla_policies import clocks
from tests.api.conftest import token_for
from tests.conftest import ManualClock
from tests.factories import gen_incident, gen_service, gen_user
from tests.reports import known_history as known
from tests.sla_policy import seed_standard

FORTNIGHT = ReportRange(known.FIRST, known.LAST)


def test_every_measure_of_the_known_history(
    db_app: Flask, clock: ManualClock, tmp_path: Path
) -> None:
    known.imported(db_app, clock, tmp_path)
    assert kpis(FORTNIGHT, ReportFilter()) == known.EXPECTED


def test_the_api_answers_the_same_numbers(app: Flask, clock: ManualClock, tmp_path: Path) -> None:
    known.imported(app, clock, tmp_path)
    admin = gen_user("admin")
    answer = app.test_client().get(
        "/api/v1/reports/kpis?from=2026-11-02&to=2026-11-15", headers=token_for(admin, "read")
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == known.EXPECTED


def test_filters_narrow_every_measure(app: Flask, clock: ManualClock, tmp_path: Path) -> None:
    known.imported(app, clock, tmp_path)
    vpn_p2 = kpis(FORTNIGHT, ReportFilter(priority=2, channel="email"))  # I2 and I6
    assert (vpn_p2["opened"], vpn_p2["resolved"], vpn_p2["backlog_end"]) == (2, 1, 1)
    assert vpn_p2["mtta_seconds"] == {"mean": 1200.0, "median": 1200.0, "p90": 1200.0}
    assert vpn_p2["sla"] == {"response_met_rate": 0.5, "resolution_met_rate": 0.5}
    assert vpn_p2["resolved_by_agent"] == {"bob@example.org": 1}
    # Two dimensions at once read the summary's finest rows: Network's VPN incidents.
    network = db.session.scalar(select(Team.id).where(Team.name == "Network"))
    vpn = db.session.scalar(select(Service.id).where(Service.name == "VPN"))
    both = kpis(FORTNIGHT, ReportFilter(team_id=network, service_id=vpn))  # I2, I3, I6
    assert (both["opened"], both["resolved"], both["escalation_rate"]) == (3, 2, 1 / 3)
    assert both["mttr_seconds"]["by_priority"] == {
        "P2": {"mean": 16200.0, "median": 16200.0, "p90": 21600.0}
    }
    every_service = top_opened(FORTNIGHT, ReportFilter(team_id=network))["services"]
    assert every_service == [("VPN", 3), ("Mail", 1)]


def test_the_backlog_day_by_day_and_its_ages(
    app: Flask, clock: ManualClock, tmp_path: Path
) -> None:
    known.imported(app, clock, tmp_path)
    days = {row["period"]: row for row in series(FORTNIGHT, ReportFilter())}
    # Open at the end of each day: I8 until Monday 10:00; I7 for an hour on Tuesday; I3
    # Wednesday 14-20; I4 Thursday 10:00-10:15 and again from 14:00 to Friday 10:00; I1 from
    # Friday 16:00 to Tuesday 11-10; I9 from 11-09; I6 from 11-11.
    assert [days[f"2026-11-{d:02d}"]["backlog"] for d in range(2, 16)] == [
        0,
        0,
        0,
        1,
        1,
        1,
        1,
        2,
        1,
        2,
        2,
        2,
        2,
        2,
    ]
    assert days["2026-11-02"]["opened"] == 1 and days["2026-11-02"]["resolved"] == 2
    assert days["2026-11-07"]["mttr_by_priority"] == {"P1": 7200.0}
    assert ages(FORTNIGHT.end, ReportFilter()) == {
        "under 1 day": 0,
        "1-3 days": 0,
        "3-7 days": 2,  # I9 (6 days 15 hours) and I6 (4 days 15 hours)
        "7-30 days": 0,
        "over 30 days": 0,
    }
    weeks = series(FORTNIGHT, ReportFilter(), "week")
    assert [(w["opened"], w["resolved"], w["backlog"]) for w in weeks] == [(6, 5, 1), (2, 1, 2)]


def test_only_people_with_the_report_role_read_it(app: Flask) -> None:
    agent, manager = gen_user("agent"), gen_user("agent")
    manager.reports = True
    assert not agent.reads_reports and manager.reads_reports
    assert User(role="admin").reads_reports and not User(role="user", reports=True).reads_reports


def test_the_api_refuses_days_beyond_the_calendar(app: Flask) -> None:
    admin = gen_user("admin")
    answer = app.test_client().get(
        "/api/v1/reports/kpis?from=9999-12-30&to=9999-12-31", headers=token_for(admin, "read")
    )
    assert answer.status_code == 422
    assert "Choose days from 1900-01-01" in answer.get_json()["detail"]


def test_today_counts_the_open_incidents_on_both_engines(db_app: Flask, clock: ManualClock) -> None:
    seed_standard()
    agent = gen_user("agent")
    breached = gen_incident(impact="high", urgency="high")  # P1: answer within 15 minutes
    taken = gen_incident()
    incidents.assign(taken, agent, None, agent.id)
    clock.advance(hours=3, minutes=20)
    clocks.check_due(clock.now)
    # The P1's response breached at 09:15; its resolution (4 hours) was warned at 12:00.
    assert breached.response_breached_at is not None
    assert today(clock.now) == {
        "open": 2,
        "unassigned": 1,
        "breaching_soon": 1,
        "breached": 1,
        "major_incidents": [],
    }


def test_a_major_incident_is_a_failure_of_each_service_it_affects_once(
    app: Flask, clock: ManualClock
) -> None:
    seed_standard()
    agent = gen_user("agent")
    vpn, mail = gen_service("VPN"), gen_service("Mail")
    tunnel = gen_incident(impact="high", urgency="high", service_id=vpn.id)  # P1, Mon 09:00
    clock.advance(hours=2)
    incidents.resolve(tunnel, agent, "fixed", "Restarted the gateway.")
    clock.advance(hours=4)  # 15:00: a P3 on the VPN declared major, on the VPN and mail
    both = gen_incident(service_id=vpn.id)
    major_incidents.declare(both, agent, "VPN and mail down", "No VPN, no mail.", [vpn.id, mail.id])
    clock.advance(hours=1)
    incidents.resolve(both, agent, "fixed", "Replaced the switch.")
    clock.advance(hours=8)  # Tue 00:00: a P2 on mail alone
    mailbox = gen_incident(impact="high", urgency="medium", service_id=mail.id)
    clock.advance(hours=1)
    incidents.resolve(mailbox, agent, "fixed", "Freed the disk.")
    db.session.commit()

    measured = kpis(ReportRange(clock.now.date(), clock.now.date()), ReportFilter())
    whole = kpis(ReportRange(date(2026, 11, 30), date(2026, 12, 1)), ReportFilter())

    # The VPN: 09:00-11:00, then 15:00-16:00 (the major incident on its own service is one
    # outage, not two); mail: the major incident 15:00-16:00, then 00:00-01:00.
    assert whole["mtbf_seconds_by_service"] == {"Mail": 8 * 3600, "VPN": 4 * 3600}
    assert measured["mtbf_seconds_by_service"] == {"Mail": None}
