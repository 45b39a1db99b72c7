"""Benchmark the reports' reads and dashboard over a year of a million incidents.

    python bench/reports.py --keep /tmp/reports-1m.sqlite3      # build once (minutes), reuse
    python bench/reports.py --n 200000                          # a throw-away smaller one
    python bench/reports.py --engine postgresql --n 200000      # a private server (tests/pg.py)
    python bench/reports.py --engine postgresql --url URL       # a server of yours, kept

Builds (bench/report_data.py) incidents opened over `--days`, with their report facts and
open spans, then ANALYZE. Times each read the dashboard makes, median of `--runs` after one
warm-up, and the dashboard page itself through the Flask test client as an admin. Then runs
every read once more, recording each SQL statement and which helpdesk.reads function sent
it, and prints the slow ones with their plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
(ANALYZE, BUFFERS) on PostgreSQL).
"""

from __future__ import annotations

import argparse
import functools
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, inspect, select, text

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import queues as timing  # noqa: E402  (bench/queues.py: timed())
import report_data  # noqa: E402
import report_profile  # noqa: E402

from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from helpdesk.models import IncidentFacts, User, utcnow  # noqa: E402
from helpdesk.reads.kpis import kpis  # noqa: E402
from helpdesk.reads.report_breakdowns import per_agent, top_opened  # noqa: E402
from helpdesk.reads.report_scope import ReportFilter, ReportRange  # noqa: E402
from helpdesk.reads.report_series import ages, series  # noqa: E402
from helpdesk.reads.report_today import today  # noqa: E402
from tests import pg  # noqa: E402

PASSWORD = "bench-password-1"
TEAM_ID = 1  # the Service Desk: the biggest team


@dataclass
class Scene:
    """What the reads are asked about: the year, its last instant, and the page's URL."""

    period: ReportRange
    now: datetime
    url: str
    steps: dict[str, Callable[[], object]] = field(default_factory=dict)


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="incidents to generate")
    parser.add_argument("--days", type=int, default=365, help="days they were opened over")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per step (median)")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="a PostgreSQL URL to build in (kept) or reuse")
    parser.add_argument("--keep", type=Path, help="SQLite file to build in (kept) or reuse")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slow-ms", type=float, default=20, help="explain statements slower")
    return parser.parse_args()


def make_app(url: str, instance: Path) -> Flask:
    """The app on the bench database (no CSRF or rate limit: the test client signs in)."""
    return create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


def prepare(args: argparse.Namespace) -> None:
    """Build the data unless the database already holds it, then ANALYZE."""
    built = inspect(db.engine).has_table(IncidentFacts.__tablename__) and db.session.scalar(
        select(IncidentFacts.incident_id).limit(1)
    )
    if not built:
        print(f"building {args.n:,} incidents over {args.days} days")
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA synchronous=OFF"))
        now = utcnow().replace(second=0, microsecond=0)
        report_data.build(args.n, args.days, args.seed, now)
        analyze()
    else:
        print("reusing the database")
    admin = db.session.get(User, report_data.ADMIN_ID)
    assert admin is not None
    admin.set_password(PASSWORD)
    db.session.commit()


def analyze() -> None:
    """Gather the planner's statistics (VACUUM too on PostgreSQL, for index-only scans)."""
    started = time.perf_counter()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    else:
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    print(f"  analyzed in {time.perf_counter() - started:.0f} s")


def scene(app: Flask, days: int) -> Scene:
    """The year up to the newest incident's day, and the steps to time over it."""
    newest = db.session.scalar(select(func.max(IncidentFacts.opened_at)))
    count = db.session.scalar(select(func.count()).select_from(IncidentFacts))
    assert newest is not None
    last = newest.date()
    period = ReportRange(last - timedelta(days=days - 1), last)
    print(f"{count:,} incidents; the year {period.first} to {period.last}")
    url = f"/reports/?from={period.first}&to={period.last}"
    found = Scene(period, newest, url)
    everything, team = ReportFilter(), ReportFilter(team_id=TEAM_ID)
    resolved = kpis(period, everything)["resolved_by_agent"]  # the page's, for per_agent
    found.steps = {
        "kpis, whole year": lambda: kpis(period, everything),
        f"kpis, team {TEAM_ID}": lambda: kpis(period, team),
        "series per day": lambda: series(period, everything, "day"),
        "series per week": lambda: series(period, everything, "week"),
        "ages": lambda: ages(period.end, everything),
        "today": lambda: today(newest),
        "top_opened": lambda: top_opened(period, everything),
        "per_agent": lambda: per_agent(period, everything, resolved),
    }
    app.logger.setLevel(logging.CRITICAL)  # a failing page shows as FAILED in the table
    client = app.test_client()
    response = client.post("/login", data={"email": admin_email(), "password": PASSWORD})
    assert response.status_code in (302, 303), "could not sign in as the admin"
    for every in ("day", "week"):
        page = f"{url}&every={every}"
        found.steps[f"dashboard page, per {every}"] = functools.partial(fetch, client, page)
    return found


def admin_email() -> str:
    """The admin's address (bench/report_data.py's user 1)."""
    admin = db.session.get(User, report_data.ADMIN_ID)
    assert admin is not None
    return admin.email


def fetch(client: Any, url: str) -> None:
    """GET the page; anything but 200 OK stops the run."""
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"


def afresh(step: Callable[[], object]) -> None:
    """Run a step in a transaction of its own, as a request would."""
    step()
    db.session.rollback()


def time_steps(found: Scene, runs: int) -> dict[str, float]:
    """Median milliseconds of each step after one warm-up; print the table."""
    print(f"\n{'step':<58} {'median ms':>10}   ({runs} runs after a warm-up)")
    medians = {}
    for label, step in list(found.steps.items()):
        try:
            afresh(step)
        except Exception as error:  # a read that fails here is a finding: say so, go on
            db.session.rollback()
            del found.steps[label]
            print(f"{label:<58} {'FAILED':>10}: {str(error).splitlines()[0][:160]}")
            continue
        medians[label] = timing.timed(functools.partial(afresh, step), runs)[0]
        print(f"{label:<58} {medians[label]:>10.1f}", flush=True)
    left_out = ("dashboard", "series per week", f"kpis, team {TEAM_ID}")
    reads = [label for label in medians if not label.startswith(left_out)]
    print(f"{'total of the page reads (' + ', '.join(reads) + ')':<58}")
    print(f"{'':<58} {sum(medians[label] for label in reads):>10.1f}")
    return medians


def run(app: Flask, args: argparse.Namespace) -> None:
    """Prepare, time, and find where the time goes."""
    with app.app_context():
        prepare(args)
        found = scene(app, args.days)
        medians = time_steps(found, args.runs)
        report_profile.where_time_goes(found.steps, medians, args.slow_ms)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    """Parse arguments, find or make the database, and run."""
    args = arguments()
    if args.engine == "postgresql":
        if args.url:
            run(make_app(args.url, Path(tempfile.mkdtemp())), args)
            return
        server = pg.start_server()
        try:
            url = server.fresh_database("helpdesk_reports_bench")
            run(make_app(url, server.folder / "instance"), args)
        finally:
            server.stop()
        return
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-reports-"))
    database = args.keep or folder / "bench.sqlite3"
    try:
        run(make_app(f"sqlite:///{database}", folder), args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
