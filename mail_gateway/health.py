"""The gateway's health: heartbeats it writes each cycle, and the snapshot the console shows.

A heartbeat row per mailbox says when the gateway last looked for mail, when that last
worked, what went wrong last, and how many messages it left waiting. The snapshot adds
what the database knows: the quarantine, the outbox backlog and its oldest message, and
the outbound mail that was given up on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import GatewayHeartbeat, OutboundEmail, QuarantinedEmail, utcnow
from helpdesk.models.outbox import FAILED, PENDING

# The console lists this many given-up messages, newest first.
FAILED_SHOWN = 50
ERROR_TEXT_LIMIT = 2000


def _heartbeat(mailbox: str) -> GatewayHeartbeat:
    """The mailbox's heartbeat row, created on first use."""
    row = db.session.scalars(
        select(GatewayHeartbeat).where(GatewayHeartbeat.mailbox == mailbox)
    ).first()
    if row is None:
        row = GatewayHeartbeat(mailbox=mailbox)
        db.session.add(row)
    return row


def _write(mailbox: str, **fields: object) -> None:
    """Set fields on the heartbeat and commit; a concurrent first insert is retried once."""
    for attempt in range(2):
        db.session.rollback()  # the last cycle may have failed half-way
        row = _heartbeat(mailbox)
        for name, value in {**fields, "updated_at": utcnow()}.items():
            setattr(row, name, value)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise


def record_success(
    mailbox: str, waiting: int, problem: str | None = None, running: bool = False
) -> None:
    """Note a completed pass (or a healthy IDLE) and how many messages are still waiting.

    The last error becomes `problem` (why some of them wait), so a good pass clears the
    error of a failed one. `running` says a long-running gateway reports (not a one-off).
    """
    now = utcnow()
    fields: dict[str, object] = {"last_poll_at": now, "last_success_at": now}
    _write(mailbox, messages_waiting=waiting, last_error=problem, **fields, **_alive(running))


def record_error(mailbox: str, error: str, running: bool = False) -> None:
    """Note a failed attempt and its (secret-free) reason."""
    _write(mailbox, last_poll_at=utcnow(), last_error=error[:ERROR_TEXT_LIMIT], **_alive(running))


def record_stopped(mailbox: str) -> None:
    """Note that the long-running gateway on this mailbox stopped cleanly."""
    _write(mailbox, running_at=None)


def _alive(running: bool) -> dict[str, object]:
    """The field a long-running gateway refreshes on every report; none for a one-off."""
    return {"running_at": utcnow()} if running else {}


# What the console says of a mailbox (see gateway_state).
NOT_REPORTING = "not_reporting"
FAILING = "failing"
RUNNING = "running"
NOT_RUNNING = "not_running"


def gateway_state(beat: GatewayHeartbeat, now: datetime, stale_after: timedelta) -> str:
    """A gateway that ran and fell silent is not reporting; one whose last poll failed
    is failing; one that reported lately is running; after one-off passes or a clean
    stop, no gateway is running."""
    if beat.running_at is not None and now - beat.running_at > stale_after:
        return NOT_REPORTING
    succeeded, polled = beat.last_success_at, beat.last_poll_at
    if beat.last_error and (succeeded is None or (polled is not None and polled > succeeded)):
        return FAILING
    return RUNNING if beat.running_at is not None else NOT_RUNNING


@dataclass(frozen=True)
class Health:
    """Everything the health page shows, read in one go."""

    heartbeats: list[GatewayHeartbeat]
    stale_after: timedelta
    quarantine_size: int
    outbox_backlog: int
    oldest_undelivered: OutboundEmail | None
    failed: list[OutboundEmail]
    failed_count: int

    @property
    def last_success_at(self) -> datetime | None:
        """The latest successful poll over all mailboxes."""
        times = [beat.last_success_at for beat in self.heartbeats if beat.last_success_at]
        return max(times, default=None)

    @property
    def messages_waiting(self) -> int:
        """Messages the gateway left in its folders at its last pass."""
        return sum(beat.messages_waiting for beat in self.heartbeats)

    def state(self, beat: GatewayHeartbeat) -> str:
        """What to say of the gateway on this mailbox now (see gateway_state)."""
        return gateway_state(beat, utcnow(), self.stale_after)

    @property
    def any_running(self) -> bool:
        """True when some long-running gateway reports (or did until it fell silent)."""
        return any(beat.running_at is not None for beat in self.heartbeats)


def stale_after() -> timedelta:
    """How long without a heartbeat means the gateway is probably not running."""
    poll = settings().mail.poll_seconds
    return timedelta(seconds=max(2 * poll, 120) + 60)


def snapshot(with_failed: bool) -> Health:
    """Read the gateway's health; the failed-mail list only when asked (admins see it)."""
    pending = select(OutboundEmail).where(OutboundEmail.state == PENDING)
    failed_query = select(OutboundEmail).where(OutboundEmail.state == FAILED)
    return Health(
        heartbeats=list(
            db.session.scalars(select(GatewayHeartbeat).order_by(GatewayHeartbeat.mailbox))
        ),
        stale_after=stale_after(),
        quarantine_size=_count(select(QuarantinedEmail).where(QuarantinedEmail.state == "pending")),
        outbox_backlog=_count(pending),
        oldest_undelivered=db.session.scalars(
            pending.order_by(OutboundEmail.created_at, OutboundEmail.id).limit(1)
        ).first(),
        failed=list(
            db.session.scalars(
                failed_query.order_by(OutboundEmail.created_at.desc()).limit(FAILED_SHOWN)
            )
        )
        if with_failed
        else [],
        failed_count=_count(failed_query),
    )


def _count(query: Select[Any]) -> int:
    """Count the rows a select would return."""
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
