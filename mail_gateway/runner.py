"""The gateway's run loop: fetch mail (IMAP IDLE or polling, or the Maildir drop folder),
drain the outbox, write the heartbeat, reconnect with backoff, stop cleanly on a signal.

A signal only sets the stop event: the message being ingested is finished, its batch is
moved, the IMAP session logs out, and the loop returns.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app

from helpdesk.core.daemons import DATABASE_ERRORS, Backoff, error_text, stop_on_signals
from helpdesk.core.settings import settings
from mail_gateway import health, imap, outbox
from mail_gateway.failures import NETWORK_ERRORS
from mail_gateway.imap_settings import GatewayError, ImapSettings
from mail_gateway.ingest import ingest as ingest_raw
from mail_gateway.mail_files import Ingest, Summary, ingest_maildir

log = logging.getLogger(__name__)

OUTBOX_EVERY_SECONDS = 5  # how often the outbox is drained while waiting for mail
HEARTBEAT_EVERY_SECONDS = 60  # how often an idle gateway says it is alive
# A look at a local folder costs nothing: a mail dropped there is taken within seconds.
MAILDROP_POLL_SECONDS = 2
BEAT_DUE = float("-inf")  # as the time of the last heartbeat: the next one is due now
# What makes the loop reconnect after a pause instead of dying.
RETRYABLE: tuple[type[BaseException], ...] = (
    GatewayError,
    outbox.SmtpFailure,
    *NETWORK_ERRORS,
    *DATABASE_ERRORS,
)


def maildrop_pass(ingest: Ingest) -> Summary:
    """Ingest what is in the Maildir drop folder (the embedded inbound transport)."""
    return ingest_maildir(settings().folders.maildrop, apply=ingest)


def uses_imap() -> bool:
    """True when mail comes in over IMAP, False for the Maildir drop folder."""
    return settings().mail.uses_imap


def mailbox_name() -> str:
    """The heartbeat's name for where mail comes from."""
    if uses_imap():
        return ImapSettings.from_config(current_app.config).mailbox
    return f"maildir:{settings().folders.maildrop}"


def poll_once(ingest: Ingest = ingest_raw) -> tuple[Summary, outbox.DrainResult]:
    """One pass over the inbox and one outbox drain, with a heartbeat; errors propagate."""
    name = mailbox_name()
    try:
        if uses_imap():
            with imap.session(current_app.config) as mailbox:
                summary = imap.poll(mailbox, ingest)
        else:
            summary = maildrop_pass(ingest)
        health.record_success(name, summary.waiting, failures(summary))
    except RETRYABLE as error:
        _note_error(name, error)
        raise
    return summary, outbox.drain()


def failures(summary: Summary) -> str | None:
    """What the console should say about messages a pass could not process, if any."""
    if not summary.failed:
        return None
    noun = "message" if summary.failed == 1 else "messages"
    return (
        f"{summary.failed} {noun} could not be processed (see the gateway log): left unread "
        "in the inbox and tried again on every pass."
    )


def _note_error(name: str, error: BaseException, running: bool = False) -> None:
    """Log a failed cycle and put it on the heartbeat (if the database is there to take it)."""
    text = error_text(error)
    log.warning("Mail gateway cycle failed for %s: %s", name, text)
    try:
        health.record_error(name, text, running)
    except DATABASE_ERRORS:
        log.warning("Could not record the error on the heartbeat: the database is unavailable")


class Gateway:
    """The long-running gateway; run() returns when `stop` is set."""

    def __init__(self, ingest: Ingest = ingest_raw, stop: threading.Event | None = None) -> None:
        """Prepare the loop; the config and settings are read from the current app."""
        self.config = current_app.config  # for the IMAP connection (ImapSettings)
        self.settings = settings()
        self.ingest = ingest
        self.stop = stop or threading.Event()
        self.backoff = Backoff()
        self.name = mailbox_name()
        self._last_drain = 0.0
        self._last_beat = BEAT_DUE
        self._waiting = 0
        self._problem: str | None = None

    def run(self) -> None:
        """Cycle until stopped, reconnecting with backoff after any network or database error."""
        log.info("Mail gateway started for %s", self.name)
        site = self.settings.site
        if site.base_url is None:
            log.warning("BASE_URL is not set: links in mail point to %s", site.link_base)
        while not self.stop.is_set():
            try:
                if uses_imap():
                    self._imap_session()
                else:
                    self._maildrop_cycle()
            except Exception as error:
                if not isinstance(error, RETRYABLE):  # a bug: stay up, but say so loudly
                    log.exception("Unexpected error in the mail gateway")
                _note_error(self.name, error, running=True)
                self._last_beat = BEAT_DUE  # the next good pass clears the error at once
                delay = self.backoff.next()
                log.info("Retrying in %.0f s", delay)
                self.stop.wait(delay)
        self._say_goodbye()
        log.info("Mail gateway stopped")

    def _imap_session(self) -> None:
        """One connection: pass, drain, heartbeat, then IDLE (or sleep) for news, repeatedly."""
        with imap.session(self.config) as mailbox:
            idle = mailbox.client.has_capability("IDLE")
            while not self.stop.is_set():
                summary = imap.poll(mailbox, self.ingest, self.stop)
                self._after_pass(summary)
                if self.stop.is_set():
                    break
                if idle:
                    mailbox.wait_for_mail(self.settings.mail.idle_seconds, self.stop, self._tick)
                else:
                    self._sleep(self.settings.mail.poll_seconds)

    def _maildrop_cycle(self) -> None:
        """One pass over the drop folder, then a short sleep (MAILDROP_POLL_SECONDS)."""
        self._after_pass(maildrop_pass(self.ingest))
        self._sleep(MAILDROP_POLL_SECONDS)

    def _after_pass(self, summary: Summary) -> None:
        """Log the pass, drain the outbox, and write the heartbeat when the pass changed
        what it says (or it is due): the connection is good."""
        problem = failures(summary)
        if summary.fetched:
            log.info("Mail pass: %s", summary.line())
        if summary.fetched or (summary.waiting, problem) != (self._waiting, self._problem):
            self._last_beat = BEAT_DUE
        self._waiting, self._problem = summary.waiting, problem
        self._beat(time.monotonic())
        self.backoff.reset()
        self._drain()

    def _beat(self, now: float) -> None:
        """Say on the heartbeat that the gateway is running, when a beat is due."""
        if now - self._last_beat >= HEARTBEAT_EVERY_SECONDS:
            health.record_success(self.name, self._waiting, self._problem, running=True)
            self._last_beat = now

    def _say_goodbye(self) -> None:
        """Tell the console that this gateway stopped (if the database is there to take it)."""
        try:
            health.record_stopped(self.name)
        except DATABASE_ERRORS:
            log.warning("Could not record the stop on the heartbeat: the database is unavailable")

    def _drain(self) -> None:
        """Drain the outbox now."""
        self._last_drain = time.monotonic()
        result = outbox.drain(self.stop)
        if result.sent or result.deferred or result.failed:
            log.info("Outbox: %s", result.line())

    def _tick(self) -> None:
        """Called about every second while waiting: drain the outbox, say we are alive."""
        now = time.monotonic()
        if now - self._last_drain >= OUTBOX_EVERY_SECONDS:
            self._drain()
        self._beat(now)

    def _sleep(self, seconds: float) -> None:
        """Wait `seconds` (without IDLE), ticking each second, until stopped."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            self.stop.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            self._tick()


def run(ingest: Ingest = ingest_raw, on_signals: bool = True) -> None:
    """Run the gateway until SIGTERM/SIGINT (or forever)."""
    gateway = Gateway(ingest)
    if not on_signals:
        gateway.run()
        return
    with stop_on_signals(gateway.stop):
        gateway.run()
