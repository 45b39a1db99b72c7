"""The IMAP side of the gateway: connect, fetch by UID in bounded batches, move after commit.

One pass takes every message in the watched folder (whatever is there has not been
processed: processed mail leaves the folder), fetches it with BODY.PEEK[] in batches
bounded by count and by bytes, hands each to `ingest` inside one transaction per fetched
slice (each mail in its own SAVEPOINT), commits, and only then moves the messages to the
processed or quarantine folder. A crash anywhere in between leaves committed messages in
the folder; the next pass fetches them again, ingest answers "duplicate", and they are
moved then.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import os
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from helpdesk.core.daemons import error_text
from helpdesk.core.unit import transaction
from mail_gateway import oauth
from mail_gateway.failures import NETWORK_ERRORS
from mail_gateway.imap_settings import GatewayError, ImapSettings
from mail_gateway.mail_files import Ingest, Summary

log = logging.getLogger(__name__)

DELETED = rb"\Deleted"
# A batch is cut short when its messages add up to this many bytes, so a run of large
# attachments never sits in memory together (one oversized message is fetched alone).
BATCH_BYTES = 16 * 1024 * 1024
# Set in the environment to inject a crash for the fault tests (see tests/test_gateway_faults.py).
FAULT_ENV = "MAIL_GATEWAY_FAULT"


class FaultInjected(RuntimeError):
    """Raised by the fault hook, standing in for a crash at that point."""


def connect(settings: ImapSettings, config: Mapping[str, Any]) -> IMAPClient:
    """Open a connection (implicit TLS, STARTTLS or loopback plain) and log in."""
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    where = f"{settings.host}:{settings.port}"
    try:
        client = IMAPClient(
            settings.host,
            settings.port,
            ssl=settings.security == "ssl",
            ssl_context=context,
            timeout=settings.timeout,
        )
        quiet(client)
        if settings.security == "starttls":
            client.starttls(context)
    except NETWORK_ERRORS as error:
        raise GatewayError(
            f"cannot connect to the IMAP server {where}: {error_text(error)}"
        ) from error
    try:
        log_in(client, settings, config)
    except BaseException:
        client.shutdown()
        raise
    return client


def quiet(client: IMAPClient) -> None:
    """Stop imaplib's protocol trace unless its log is on: IMAPClient turns it on for every
    connection, and imaplib then formats a repr of each fetched message for a log line
    nobody reads (CPU for every mail, and twice a 25 MB message's size in memory)."""
    if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        client._imap.debug = 0


def log_in(client: IMAPClient, settings: ImapSettings, config: Mapping[str, Any]) -> None:
    """Authenticate with the password or with an XOAUTH2 access token."""
    try:
        if settings.auth == "xoauth2":
            client.oauth2_login(settings.username, oauth.access_token(config))
        else:
            client.login(settings.username, settings.password)
    except oauth.TokenUnavailable as error:
        raise GatewayError(f"no OAuth2 access token for IMAP: {error}") from error
    except LoginError as error:
        raise GatewayError(
            f"the IMAP server {settings.host} refused the login of {settings.username} "
            f"({settings.auth}): {error_text(error)}"
        ) from error
    log.info("Signed in to %s", settings.mailbox)


@contextmanager
def session(config: Mapping[str, Any]) -> Iterator[Mailbox]:
    """Connect, log in and open the watched folder; log out at the end."""
    settings = ImapSettings.from_config(config)
    with connect(settings, config) as client:
        mailbox = Mailbox(client, settings)
        mailbox.open()
        yield mailbox


def fault(point: str) -> None:
    """The fault tests' hook: crash at `point` when MAIL_GATEWAY_FAULT names it."""
    if os.environ.get(FAULT_ENV) != point:
        return
    if point == "exit-after-commit":
        os._exit(75)  # like a kill -9: no cleanup, no IMAP move, nothing flushed
    raise FaultInjected(point)


class Mailbox:
    """The watched folder on a logged-in connection, with its processed and quarantine folders."""

    def __init__(self, client: IMAPClient, settings: ImapSettings) -> None:
        """Wrap `client`; call open() before use."""
        self.client = client
        self.settings = settings
        self.can_move = False

    def open(self) -> None:
        """Create the destination folders when missing and select the watched folder."""
        for name in (self.settings.processed_folder, self.settings.quarantine_folder):
            if not self.client.folder_exists(name):
                self.client.create_folder(name)
        self.client.select_folder(self.settings.folder)
        self.can_move = self.client.has_capability("MOVE")

    def pending_uids(self) -> list[int]:
        """UIDs of every message still in the folder (processed mail has left it)."""
        return sorted(self.client.search(["NOT", "DELETED"]))

    def fetch(self, uids: list[int]) -> Iterator[list[tuple[int, bytes]]]:
        """Yield the (uid, raw bytes) of `uids` in slices of at most BATCH_BYTES."""
        sizes = self.client.fetch(uids, ["RFC822.SIZE"])
        for chunk in _slices(uids, {uid: sizes[uid][b"RFC822.SIZE"] for uid in sizes}):
            bodies = self.client.fetch(chunk, ["BODY.PEEK[]"])
            # A message gone meanwhile was taken by another gateway.
            yield [(uid, bodies.pop(uid)[b"BODY[]"]) for uid in chunk if uid in bodies]

    def dispose(self, uids: list[int], folder: str | None) -> None:
        """Move `uids` to `folder`, or delete them; tolerate another gateway's moves."""
        if not uids:
            return
        try:
            self._dispose(uids, folder)
        except IMAPClientError as error:
            if isinstance(error, IMAPClientAbortError) or "EXPUNGEISSUED" not in str(error):
                raise
            # A second gateway moved some of them meanwhile: deal with what is still here.
            left = self.client.search(["UID", ",".join(map(str, uids))])
            if left:
                self._dispose(sorted(left), folder)

    def _dispose(self, uids: list[int], folder: str | None) -> None:
        """MOVE when the server can, else COPY + \\Deleted + expunge; no folder: delete."""
        if folder is not None and self.can_move:
            self.client.move(uids, folder)
            return
        if folder is not None:
            self.client.copy(uids, folder)
        self.client.add_flags(uids, [DELETED], silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    def destination(self, outcome: str) -> str | None:
        """Where a message goes after ingest: quarantine, processed, or nowhere (deleted)."""
        if outcome == "quarantined":
            return self.settings.quarantine_folder
        if self.settings.after_processing == "delete":
            return None
        return self.settings.processed_folder

    def source(self, uid: int) -> str:
        """Where a message came from, recorded with it."""
        return f"{self.settings.mailbox};uid={uid}"

    def wait_for_mail(
        self, seconds: float, stop: threading.Event, tick: Callable[[], None]
    ) -> bool:
        """IDLE up to `seconds` (calling `tick` about every second); True when mail arrived."""
        deadline = time.monotonic() + seconds
        arrived = False
        self.client.idle()
        try:
            silent_wakeups = 0
            while not arrived and not stop.is_set() and time.monotonic() < deadline:
                started = time.monotonic()
                responses = self.client.idle_check(timeout=1)
                _check_alive(responses)
                # IMAPClient hides an end of stream as "nothing received": a socket that keeps
                # waking up with nothing to read has been closed by the server.
                quick = not responses and time.monotonic() - started < 0.5
                silent_wakeups = silent_wakeups + 1 if quick else 0
                if silent_wakeups >= 3:
                    raise imaplib.IMAP4.abort("the server closed the connection during IDLE")
                arrived = any(_announces_mail(response) for response in responses)
                tick()
        finally:
            with contextlib.suppress(*NETWORK_ERRORS):
                self.client.idle_done()
        return arrived


def _check_alive(responses: list[Any]) -> None:
    """Raise when the server said BYE during IDLE (it is shutting down or timed us out)."""
    for response in responses:
        if isinstance(response, tuple) and response and response[0] == b"BYE":
            raise imaplib.IMAP4.abort(f"the server ended the session: {response[1:]!r}")


def _announces_mail(response: Any) -> bool:
    """True for an untagged EXISTS or RECENT response seen during IDLE."""
    return (
        isinstance(response, tuple) and len(response) > 1 and response[1] in (b"EXISTS", b"RECENT")
    )


def _slices(uids: list[int], sizes: Mapping[int, int]) -> Iterator[list[int]]:
    """Cut `uids` into runs whose sizes add up to at most BATCH_BYTES (at least one each)."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid)
        if size is None:
            continue
        if chunk and total + size > BATCH_BYTES:
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def poll(mailbox: Mailbox, ingest: Ingest, stop: threading.Event | None = None) -> Summary:
    """One pass over the folder: ingest every message, batch by batch, moving after commit."""
    summary = Summary()
    uids = mailbox.pending_uids()
    size = mailbox.settings.batch_size
    for start in range(0, len(uids), size):
        if stop is not None and stop.is_set():
            break
        _process_batch(mailbox, uids[start : start + size], ingest, summary, stop)
    summary.unfetched = len(uids) - summary.fetched
    return summary


def _process_batch(
    mailbox: Mailbox,
    batch: list[int],
    ingest: Ingest,
    summary: Summary,
    stop: threading.Event | None,
) -> None:
    """Ingest one batch, then move what was ingested: the commit always comes first."""
    done: dict[str | None, list[int]] = {}
    for fetched in mailbox.fetch(batch):
        with transaction():
            for uid, raw in fetched:
                outcome = summary.ingest(ingest, raw, mailbox.source(uid))
                if outcome is not None:
                    done.setdefault(mailbox.destination(outcome), []).append(uid)
                if stop is not None and stop.is_set():
                    break
        fault("exit-after-commit")
        if stop is not None and stop.is_set():
            break
    fault("fail-before-move")
    for folder, uids in done.items():
        mailbox.dispose(uids, folder)
