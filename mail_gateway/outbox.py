"""The SMTP side of the gateway: drain the outbox table, one message at a time, losing none.

Due rows are first claimed, a batch at a time, by pushing their `next_attempt_at` forward
(claims.py): a second gateway skips them, and if this process dies mid-send the claim
simply expires and the rows are due again. A row is attempted only while its claim
outlasts the slowest send, so no row is ever sent by two gateways; the rows left over
are handed back and claimed anew. A row is marked sent only after the server has
accepted it; a refusal or a dead server leaves it pending with `last_error` and an
exponential backoff, until OUTBOX_GIVE_UP_HOURS after it was queued, when it becomes
"failed" (shown to admins, who can retry it). A permanent (5xx) refusal fails at once.

Rows hold what the mail must say; each is rendered here, right before it is sent
(helpdesk.notify.delivery.rendered), and a row that cannot be rendered fails alone.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app

from helpdesk.core.daemons import error_text
from helpdesk.core.settings import settings as helpdesk_settings
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents import InvalidInput, NotFound
from helpdesk.models import OutboundEmail, utcnow
from helpdesk.models.outbox import FAILED, PENDING, SENT
from helpdesk.notify.addresses import ascii_address
from helpdesk.notify.delivery import MAIL_QUEUED, rendered, write_eml_files
from mail_gateway import claims
from mail_gateway.imap_settings import is_loopback

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)
# A claim lasts this many slowest sends: rows are sent while one more slowest send fits.
CLAIM_IN_SENDS = 2
BARE_LF = re.compile(rb"(?<!\r)\n")


class SmtpFailure(Exception):
    """A delivery attempt failed; `permanent` for 5xx answers, `connection` when no server."""

    def __init__(self, message: str, permanent: bool = False, connection: bool = False) -> None:
        """Keep the secret-free reason and what kind of failure it was."""
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail, read from the app config (SMTP_* keys)."""

    host: str
    port: int
    security: str
    username: str
    password: str = field(repr=False)
    timeout: float
    envelope_from: str
    ca_file: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], support_address: str) -> SmtpSettings:
        """Build the settings from the Flask config; plaintext only to loopback. Mail
        goes out from SMTP_ENVELOPE_FROM, or else from the support address."""
        settings = cls(
            host=str(config["SMTP_HOST"]),
            port=int(config["SMTP_PORT"]),
            security=str(config["SMTP_SECURITY"]).lower(),
            username=str(config["SMTP_USERNAME"]),
            password=str(config["SMTP_PASSWORD"]),
            timeout=float(config["SMTP_TIMEOUT_SECONDS"]),
            envelope_from=str(config["SMTP_ENVELOPE_FROM"] or support_address),
            ca_file=str(config["SMTP_CA_FILE"]),
        )
        if settings.security not in ("ssl", "starttls", "plain"):
            raise SmtpFailure("SMTP_SECURITY must be ssl, starttls or plain", connection=True)
        if settings.security == "plain" and settings.username and not is_loopback(settings.host):
            raise SmtpFailure(
                "SMTP_SECURITY=plain would send the SMTP password in clear text; "
                "use starttls or ssl",
                connection=True,
            )
        return settings


def _failure(error: Exception, settings: SmtpSettings) -> SmtpFailure:
    """Turn an smtplib or socket error into a secret-free SmtpFailure."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return SmtpFailure(f"recipient refused: {code} {_text(reply)}", permanent=code >= 500)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return SmtpFailure(
            f"the SMTP server {where} refused the login of {settings.username}: "
            f"{error.smtp_code} {_text(error.smtp_error)}",
            connection=True,
        )
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPConnectError | smtplib.SMTPHeloError
    ):
        text = f"{error.smtp_code} {_text(error.smtp_error)}"
        return SmtpFailure(f"the SMTP server refused the message: {text}", error.smtp_code >= 500)
    return SmtpFailure(f"cannot deliver via {where}: {error_text(error)}", connection=True)


def _text(value: bytes | str) -> str:
    """A server reply as text."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Sender:
    """One SMTP connection, opened when first needed and reused for the rest of a drain."""

    def __init__(self, settings: SmtpSettings) -> None:
        """Remember the settings; nothing is opened yet."""
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        """Connect with implicit TLS, STARTTLS or plain, and log in when a username is set."""
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file or None)
        if s.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=context)
            if s.username:
                smtp.login(s.username, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, row: OutboundEmail, raw: bytes) -> None:
        """Hand one rendered message to the server; raises SmtpFailure when it is not accepted."""
        try:
            if self.smtp is not None:
                try:
                    self._sendmail(row, raw)
                    return
                except smtplib.SMTPServerDisconnected:
                    self.close()  # the server dropped an idle connection: reconnect once
            self.smtp = self._open()
            self._sendmail(row, raw)
        except (smtplib.SMTPException, OSError) as error:
            if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                self.close()
            raise _failure(error, self.settings) from error

    def _sendmail(self, row: OutboundEmail, raw: bytes) -> None:
        """The SMTP transaction: envelope to the row's recipient (its domain in ASCII), the
        rendered bytes as they are.

        Only line endings change: SMTP requires CRLF, and strict servers refuse bare LF
        (smtplib converts them for text, not for bytes).
        """
        assert self.smtp is not None
        recipient = ascii_address(row.recipient)
        if recipient is None:  # queued before the helpdesk refused such addresses
            raise SmtpFailure(f"{row.recipient} needs SMTPUTF8, which is not used", permanent=True)
        self.smtp.sendmail(self.settings.envelope_from, [recipient], BARE_LF.sub(b"\r\n", raw))

    def close(self) -> None:
        """Say QUIT (or just drop the connection when that fails)."""
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


@dataclass
class DrainResult:
    """What one drain did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0

    def line(self) -> str:
        """A one-line report for the CLI."""
        return f"sent {self.sent}, deferred {self.deferred}, failed {self.failed}"


def drain(stop: threading.Event | None = None) -> DrainResult:
    """Deliver every due outbox row via the configured transport (SMTP or .eml files)."""
    configured = helpdesk_settings()
    if configured.mail.outbox_transport != "smtp":
        return DrainResult(sent=write_eml_files())
    settings = SmtpSettings.from_config(current_app.config, configured.site.support_address)
    result = DrainResult()
    sender = Sender(settings)
    last_id: int | None = 0
    try:
        while last_id is not None and (stop is None or not stop.is_set()):
            claim = claims.claim_batch(last_id, _claim_seconds(settings))
            if not claim.rows:
                break
            last_id = _send_claimed(sender, claim, _send_seconds(settings), result, stop)
    finally:
        sender.close()
    return result


def _send_seconds(settings: SmtpSettings) -> timedelta:
    """The slowest send there can be (connect, TLS, login, data)."""
    return timedelta(seconds=max(300.0, settings.timeout * 6))


def _claim_seconds(settings: SmtpSettings) -> float:
    """How long a claim lasts: CLAIM_IN_SENDS slowest sends, so that its rows go out for at
    least one slowest send's time before the rest are handed back (a claim of one slowest
    send covered a single row: each mail cost a claim, a release and a reload of the rest)."""
    return CLAIM_IN_SENDS * _send_seconds(settings).total_seconds()


def _send_claimed(
    sender: Sender,
    claim: claims.Claim,
    slowest: timedelta,
    result: DrainResult,
    stop: threading.Event | None,
) -> int | None:
    """Send the claimed rows in order, each only while the claim outlasts the slowest send;
    hand back the rest. Return the id to claim on after, or None when the drain must end
    (stopped, or no server: the other rows would fail the same way)."""
    for index, row in enumerate(claim.rows):
        stopped = stop is not None and stop.is_set()
        if stopped or (index > 0 and utcnow() + slowest > claim.until):
            claims.release(claim, claim.rows[index:])
            return None if stopped else claim.rows[index - 1].id
        if not _attempt(sender, row, result):
            claims.release(claim, claim.rows[index + 1 :])
            return None
    return claim.rows[-1].id


def _attempt(sender: Sender, row: OutboundEmail, result: DrainResult) -> bool:
    """Render (if not yet) and send one claimed row and record the outcome; False when the
    server is unreachable. A row that cannot be rendered is failed by `rendered`."""
    raw = rendered(row)
    if raw is None:
        result.failed += 1
        return True
    try:
        sender.send(row, raw)
    except SmtpFailure as failure:
        _record_failure(row, failure, result)
        return not failure.connection
    row.state = SENT
    row.sent_at = utcnow()
    row.attempts += 1
    row.last_error = None
    db.session.commit()
    result.sent += 1
    log.info("Sent outbox message %s to %s", row.id, row.recipient)
    return True


def _record_failure(row: OutboundEmail, failure: SmtpFailure, result: DrainResult) -> None:
    """Count the attempt, keep the reason, and back off, or give up when it is time."""
    now = utcnow()
    mail = helpdesk_settings().mail
    row.attempts += 1
    row.last_error = str(failure)
    give_up_at = row.created_at + mail.outbox_give_up
    if failure.permanent or now >= give_up_at:
        row.state = FAILED
        result.failed += 1
        log.warning("Gave up on outbox message %s to %s: %s", row.id, row.recipient, failure)
    else:
        delay = mail.outbox_retry * 2 ** (row.attempts - 1)
        row.next_attempt_at = now + min(delay, MAX_RETRY_DELAY)
        result.deferred += 1
        log.info("Outbox message %s deferred: %s", row.id, failure)
    db.session.commit()


@unit_of_work
def retry_failed(email_id: int) -> OutboundEmail:
    """Put a given-up message back in the queue, due now, with a fresh give-up clock."""
    row = db.session.get(OutboundEmail, email_id)
    if row is None:
        raise NotFound("That message is not in the outbox.")
    if row.state != FAILED:
        raise InvalidInput("Only a message that was given up on can be retried.")
    now = utcnow()
    row.state = PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.created_at = now  # the give-up time counts from here again
    db.session.info[MAIL_QUEUED] = True  # the embedded transport writes it after the commit
    commit()
    return row
