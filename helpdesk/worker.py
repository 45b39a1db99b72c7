"""The scheduler: `helpdesk worker` runs the periodic jobs every WORKER_INTERVAL_SECONDS,
and `helpdesk sla tick` runs them once.

Each job takes the time of the pass and returns how many things it did. Every job is
idempotent and claims its rows with row locks (SKIP LOCKED on PostgreSQL), so a pass run
twice changes nothing more and two workers at once never do a thing twice: the worker
itself keeps no lock and no state between passes.

One job's bug is logged and the other jobs still run; a database error ends the pass,
and the next one is tried after a growing pause (as the mail gateway reconnects). A signal
only sets the stop event: the job in hand finishes and the loop returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from helpdesk import idempotency_keys
from helpdesk.automation import auto_close, awaiting_user
from helpdesk.core.daemons import DATABASE_ERRORS, Backoff, error_text, stop_on_signals
from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import utcnow
from helpdesk.reviews import reminders as review_reminders
from helpdesk.sla_policies import clocks
from helpdesk.webhooks import delivery as webhook_delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job: its name in the log, and what runs at the time of a pass."""

    name: str
    run: Callable[[datetime], int]


# The jobs of every pass, in order; a new periodic job is one more line here.
JOBS: tuple[Job, ...] = (
    Job("sla_checks", clocks.check_due),
    Job("reminders", awaiting_user.remind),
    Job("auto_resolve", awaiting_user.resolve_unanswered),
    Job("auto_close", auto_close.close_resolved),
    Job("webhooks", webhook_delivery.send_due),
    Job("idempotency_keys", idempotency_keys.forget_expired),
    Job("review_actions", review_reminders.remind_overdue),
)


def run_pass(jobs: tuple[Job, ...], now: datetime) -> dict[str, int]:
    """Run each job once for `now` and return what each did; a job that fails on a bug is
    logged and left out, a database error is raised (the next jobs would fail too)."""
    done: dict[str, int] = {}
    for job in jobs:
        try:
            done[job.name] = job.run(now)
        except DATABASE_ERRORS:
            db.session.rollback()
            raise
        except Exception:
            db.session.rollback()
            log.exception("Worker job %s failed", job.name)
    return done


def describe(done: dict[str, int]) -> str:
    """A pass for the log: `sla_checks=3 reminders=0`."""
    return " ".join(f"{name}={count}" for name, count in done.items()) or "no job ran"


class Worker:
    """The long-running scheduler; run() returns when `stop` is set."""

    def __init__(self, jobs: tuple[Job, ...] = JOBS, stop: threading.Event | None = None) -> None:
        """Prepare the loop; the interval is read from the current app's settings."""
        self.jobs = jobs
        self.stop = stop or threading.Event()
        self.interval = settings().worker_interval_seconds
        self.backoff = Backoff()

    def run(self) -> None:
        """A pass every interval (counted from the start of the last one) until stopped."""
        log.info("Worker started: %s every %g s", describe_jobs(self.jobs), self.interval)
        while not self.stop.is_set():
            started = time.monotonic()
            self.stop.wait(max(0.0, self._pass() - (time.monotonic() - started)))
        log.info("Worker stopped")

    def _pass(self) -> float:
        """Run one pass and return how long after its start the next one is due."""
        try:
            done = run_pass(self.jobs, utcnow())
        except DATABASE_ERRORS as error:
            delay = self.backoff.next()
            log.warning("Worker pass failed: %s; retrying in %.0f s", error_text(error), delay)
            return delay
        self.backoff.reset()
        log.info("Worker pass: %s", describe(done))
        return self.interval


def describe_jobs(jobs: tuple[Job, ...]) -> str:
    """The jobs by name, for the start-up line."""
    return ", ".join(job.name for job in jobs) or "no jobs"


def run(jobs: tuple[Job, ...] = JOBS) -> None:
    """Run the worker until SIGTERM/SIGINT."""
    worker = Worker(jobs)
    with stop_on_signals(worker.stop):
        worker.run()
