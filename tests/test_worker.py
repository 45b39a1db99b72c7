"""The scheduler: `helpdesk worker` runs its jobs every interval, survives a job's bug,
backs off on database errors and stops on a signal; `helpdesk sla tick` runs one pass."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from helpdesk import worker
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, utcnow
from helpdesk.models.base import frozen_time
from helpdesk.sla.cli import sla_group
from helpdesk.sla_policies import store
from helpdesk.worker import Job, Worker, run_pass
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_user
from tests.mail.helpers import gateway_env, helpdesk_command
from tests.worker_passes import TICKS, done_by_job, tick

NOW = datetime(2026, 12, 4, 15, 0)


class Calls:
    """A job that counts its runs and can be told to fail or to stop the worker."""

    def __init__(self, failures: list[BaseException] | None = None) -> None:
        self.times: list[datetime] = []
        self.failures = failures or []
        self.stop_after: tuple[threading.Event, int] | None = None

    def __call__(self, now: datetime) -> int:
        self.times.append(now)
        if self.stop_after and len(self.times) >= self.stop_after[1]:
            self.stop_after[0].set()
        if self.failures:
            raise self.failures.pop(0)
        return len(self.times)


def database_down() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("connection refused"))


def run_in_thread(app: Flask, running: Worker) -> threading.Thread:
    """Run the worker's loop in a thread with its own app context."""

    def loop() -> None:
        with app.app_context():
            running.run()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_a_pass_runs_every_job_at_the_same_time(app: Flask) -> None:
    first, second = Calls(), Calls()
    done = run_pass((Job("first", first), Job("second", second)), NOW)
    assert done == {"first": 1, "second": 1}
    assert first.times == second.times == [NOW]


def test_a_job_bug_is_logged_and_the_next_job_still_runs(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    broken, fine = Calls([ZeroDivisionError("bug")]), Calls()
    with caplog.at_level(logging.ERROR, "helpdesk.worker"):
        done = run_pass((Job("broken", broken), Job("fine", fine)), NOW)
    assert done == {"fine": 1}
    assert "Worker job broken failed" in caplog.text and "ZeroDivisionError" in caplog.text


def test_a_database_error_ends_the_pass(app: Flask) -> None:
    down, after = Calls([database_down()]), Calls()
    with pytest.raises(OperationalError):
        run_pass((Job("down", down), Job("after", after)), NOW)
    assert after.times == []


def test_the_worker_runs_its_jobs_every_interval_until_stopped(app: Flask) -> None:
    reconfigure(app, WORKER_INTERVAL_SECONDS=1)
    stop, job = threading.Event(), Calls()
    job.stop_after = (stop, 3)
    started = time.monotonic()
    thread = run_in_thread(app, Worker((Job("job", job),), stop))
    thread.join(30)
    assert not thread.is_alive()
    assert len(job.times) == 3
    assert 1.5 < time.monotonic() - started < 10  # waited between passes, not busy


def test_the_worker_survives_a_job_bug_and_backs_off_after_a_database_error(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    reconfigure(app, WORKER_INTERVAL_SECONDS=1)
    stop, job = threading.Event(), Calls([ValueError("bug"), database_down()])
    job.stop_after = (stop, 3)
    with caplog.at_level(logging.INFO, "helpdesk.worker"):
        thread = run_in_thread(app, Worker((Job("job", job),), stop))
        thread.join(30)
    assert not thread.is_alive()
    assert len(job.times) == 3
    assert "Worker job job failed" in caplog.text
    assert "Worker pass failed: " in caplog.text and "retrying in 1 s" in caplog.text
    assert "Worker pass: job=3" in caplog.text


def test_the_worker_command_stops_cleanly_on_sigterm(app: Flask) -> None:
    env = gateway_env(app, {"WORKER_INTERVAL_SECONDS": 1})
    process = subprocess.Popen(
        helpdesk_command("worker"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if b"Worker pass" in line:
                break
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert b"Worker stopped." in out
    assert b"Traceback" not in err


def test_sla_tick_runs_one_pass(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    job = Calls()
    monkeypatch.setattr(worker, "JOBS", (Job("checks", job),))
    result = app.test_cli_runner().invoke(sla_group, ["tick"])
    assert result.exit_code == 0, result.output
    assert result.output == "Pass: checks=1\n"
    assert len(job.times) == 1


def test_sla_tick_fails_when_a_job_fails(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = (Job("broken", Calls([KeyError("bug")])), Job("fine", Calls()))
    monkeypatch.setattr(worker, "JOBS", jobs)
    result = app.test_cli_runner().invoke(sla_group, ["tick"])
    assert result.exit_code == 1
    assert "Pass: fine=1" in result.output
    assert "failed (see the log): broken" in result.output


def test_sla_tick_on_an_empty_database_says_to_run_init(app: Flask) -> None:
    db.drop_all()
    result = app.test_cli_runner().invoke(sla_group, ["tick"])
    assert result.exit_code == 1
    assert "helpdesk init" in result.output


INCIDENTS = 200
AROUND_THE_CLOCK = {"timezone": "UTC", "hours": {}}


def open_overdue_incidents(count: int) -> None:
    """Open `count` incidents three hours ago under a 24x7 policy of 1h/2h targets: by now
    each has both targets warned and breached, and none of it is recorded yet."""
    store.create_calendar(None, "Always", AROUND_THE_CLOCK)
    targets = {
        f"P{n}": {"response": "1h", "resolution": "2h", "clock": "24x7"} for n in range(1, 6)
    }
    store.create_policy(
        None,
        "Around the clock",
        store.PolicyFields(calendar="Always", targets=targets, is_default=True),
    )
    opened = utcnow() - timedelta(hours=3)
    with frozen_time(lambda: opened):
        requester = gen_user()
        for _ in range(count):
            gen_incident(requester)


def recorded() -> Counter[tuple[int, str, str]]:
    """How often each (incident, sla_warned/sla_breached, target) was recorded."""
    rows = db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.action, AuditEvent.details).where(
            AuditEvent.action.in_(("sla_warned", "sla_breached"))
        )
    )
    return Counter((incident, action, details["target"]) for incident, action, details in rows)


@pytest.mark.postgres
def test_two_ticks_at_once_record_each_warning_and_breach_once(pg_app: Flask) -> None:
    open_overdue_incidents(INCIDENTS)
    checked = [done["sla_checks"] for done in tick(pg_app, TICKS)]
    assert sum(checked) == INCIDENTS  # shared, none taken twice
    db.session.expire_all()
    counts = recorded()
    expected = {
        (incident, action, target)
        for incident in db.session.scalars(select(Incident.id))
        for action in ("sla_warned", "sla_breached")
        for target in ("response", "resolution")
    }
    assert set(counts) == expected and len(expected) == INCIDENTS * 4
    assert set(counts.values()) == {1}
    tick(pg_app)
    assert recorded() == counts


def test_sla_tick_records_what_is_due_once(app: Flask) -> None:
    open_overdue_incidents(3)
    runner = app.test_cli_runner()
    assert done_by_job(runner.invoke(sla_group, ["tick"]).output)["sla_checks"] == 3
    assert sorted(recorded().values()) == [1] * 3 * 4
    assert done_by_job(runner.invoke(sla_group, ["tick"]).output)["sla_checks"] == 0
    assert len(recorded()) == 3 * 4
