"""IMAP intake against a private Dovecot: ingest once, move after commit, batches, TLS, XOAUTH2,
IDLE, plus the XOAUTH2 token sources."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from helpdesk.extensions import db
from helpdesk.models import GatewayHeartbeat, QuarantinedEmail, ReceivedEmail
from mail_gateway import imap, oauth, runner
from mail_gateway.imap_settings import GatewayError, ImapSettings, is_loopback
from mail_gateway.ingest import ingest
from tests.mail.dovecot import DovecotServer
from tests.mail.helpers import (
    FOLDERS,
    app_for,
    counts,
    deliver,
    open_mailbox,
    run_gateway,
    wait_until,
)
from tests.mail.messages import load, make_message


@pytest.fixture
def imap_app(tmp_path: Path, dovecot: DovecotServer) -> Iterator[Flask]:
    """An app whose gateway reads the private Dovecot's INBOX over loopback."""
    yield from app_for(tmp_path / "instance", dovecot)


def incidents() -> int:
    """How many incidents exist."""
    return counts()[0]


def test_new_mail_becomes_incidents_once_and_moves_to_processed(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 3)
    summary, _sent = runner.poll_once()
    assert (summary.fetched, summary.new_incidents, summary.quarantined) == (3, 3, 0)
    assert incidents() == 3
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 3, "Quarantine": 0}
    sources = db.session.scalars(select(ReceivedEmail.source)).all()
    assert all(source.startswith("imap://support@127.0.0.1:") for source in sources)

    again, _sent = runner.poll_once()
    assert again.fetched == 0 and incidents() == 3
    beat = db.session.scalars(select(GatewayHeartbeat)).one()
    assert beat.last_success_at is not None and beat.messages_waiting == 0


def test_sixty_messages_in_batches_of_seven_are_moved_batch_by_batch(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 60)
    processed_when_ingested: list[int] = []
    watcher = dovecot.client()

    def watching_ingest(raw: bytes, source: str) -> object:
        status = watcher.folder_status("Processed", ["MESSAGES"])
        processed_when_ingested.append(status[b"MESSAGES"])
        return ingest(raw, source)

    for _app in app_for(tmp_path / "instance", dovecot, IMAP_BATCH_SIZE=7):
        summary, _sent = runner.poll_once(watching_ingest)
        assert summary.fetched == 60 and incidents() == 60
    watcher.logout()
    # Each message was ingested while only the earlier, complete batches had been moved.
    assert processed_when_ingested == [(index // 7) * 7 for index in range(60)]
    assert dovecot.folder_counts(*FOLDERS)["Processed"] == 60


def test_big_messages_are_fetched_in_slices_bounded_by_bytes(
    tmp_path: Path,
    dovecot: DovecotServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap, "BATCH_BYTES", 3 * 1024 * 1024)
    big = "x" * (70 * 1024)
    with dovecot.client() as client:
        for number in range(4):  # ~2 MB each once base64-encoded attachments are added
            load(client, [make_message(number, body=(big + "\n") * 28)])
    for _app in app_for(tmp_path / "instance", dovecot, IMAP_BATCH_SIZE=25):
        summary, _sent = runner.poll_once()
        assert summary.new_incidents == 4
    assert dovecot.folder_counts(*FOLDERS)["Processed"] == 4


def test_slices_never_exceed_the_byte_budget_except_for_one_huge_message() -> None:
    sizes = {1: 6, 2: 6, 3: 20, 4: 1, 5: 9}
    scaled = {uid: size * imap.BATCH_BYTES // 10 for uid, size in sizes.items()}  # tenths
    assert list(imap._slices([1, 2, 3, 4, 5], scaled)) == [[1], [2], [3], [4, 5]]


def test_mail_that_cannot_be_processed_goes_to_the_quarantine_folder(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 1)
    with dovecot.client() as client:
        client.append("INBOX", b"Subject: no sender\r\nMessage-ID: <q1@example.org>\r\n\r\nhi\r\n")
    summary, _sent = runner.poll_once()
    assert (summary.new_incidents, summary.quarantined) == (1, 1)
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 1, "Quarantine": 1}
    assert db.session.scalars(select(QuarantinedEmail.subject)).all() == ["no sender"]


def test_delete_after_processing_flags_and_expunges(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 2)
    for _app in app_for(tmp_path / "instance", dovecot, IMAP_AFTER_PROCESSING="delete"):
        summary, _sent = runner.poll_once()
        assert summary.new_incidents == 2
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 0, "Quarantine": 0}


def test_without_move_the_gateway_copies_flags_and_expunges(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 3)
    mailbox = open_mailbox(imap_app)
    mailbox.can_move = False  # as on a server without RFC 6851 MOVE
    summary = imap.poll(mailbox, ingest)
    mailbox.client.logout()
    assert summary.new_incidents == 3
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 3, "Quarantine": 0}


def test_mail_is_not_marked_seen_before_it_is_processed(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 2)

    def database_down(raw: bytes, source: str) -> object:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        runner.poll_once(database_down)
    beat = db.session.scalars(select(GatewayHeartbeat)).one()
    assert beat.last_error == "database error: database is locked"  # no SQL, no parameters
    with dovecot.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert len(client.search("UNSEEN")) == 2
    assert incidents() == 0


def test_one_message_that_breaks_ingest_does_not_hold_up_the_rest(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 3)

    def buggy_for_the_second(raw: bytes, source: str) -> object:
        result = ingest(raw, source)
        if b"Subject: Printer on floor 1 is jammed" in raw:
            raise RuntimeError("a bug after its incident was staged")
        return result

    summary, _sent = runner.poll_once(buggy_for_the_second)
    assert (summary.new_incidents, summary.failed, summary.waiting) == (2, 1, 1)
    assert incidents() == 2  # its half-done work was undone, the rest of the batch kept
    assert "failed 1" in summary.line()
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 1, "Processed": 2, "Quarantine": 0}
    beat = db.session.scalars(select(GatewayHeartbeat)).one()
    assert beat.messages_waiting == 1  # the console says why it waits
    assert beat.last_error.startswith("1 message could not be processed")
    again, _sent = runner.poll_once()
    assert again.new_incidents == 1 and incidents() == 3


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_connections_verify_the_server_certificate(
    tmp_path: Path,
    dovecot: DovecotServer,
    security: str,
) -> None:
    deliver(dovecot, 1)
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    for _app in app_for(tmp_path / "instance", dovecot, IMAP_SECURITY=security, IMAP_PORT=port):
        summary, _sent = runner.poll_once()
        assert summary.new_incidents == 1


def test_an_untrusted_certificate_is_refused(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    settings = {"IMAP_SECURITY": "ssl", "IMAP_PORT": dovecot.tls_port, "IMAP_CA_FILE": ""}
    for _app in app_for(tmp_path / "instance", dovecot, **settings):
        with pytest.raises(GatewayError, match="certificate verify failed"):
            runner.poll_once()


def test_a_refused_login_names_the_user_but_never_the_password(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    for _app in app_for(tmp_path / "instance", dovecot, IMAP_PASSWORD="not-the-password-42"):
        with pytest.raises(GatewayError) as caught:
            runner.poll_once()
        message = str(caught.value)
        assert "refused the login of support" in message
        assert "not-the-password-42" not in message
        beat = db.session.scalars(select(GatewayHeartbeat)).one()
        assert "refused the login" in (beat.last_error or "")
    dovecot.forget_failed_logins()


def test_plaintext_imap_is_only_allowed_on_loopback(app: Flask) -> None:
    config = {**app.config, "IMAP_HOST": "imap.example.org", "IMAP_SECURITY": "plain"}
    with pytest.raises(GatewayError, match="only allowed for a loopback"):
        ImapSettings.from_config(config)
    assert is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("10.0.0.1")


def test_xoauth2_login_with_a_token_file(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(dovecot.oauth_token + "\n")
    settings = {
        "IMAP_AUTH": "xoauth2",
        "IMAP_USERNAME": dovecot.oauth_username,
        "IMAP_PASSWORD": "",
        "IMAP_OAUTH2_TOKEN_FILE": str(token_file),
    }
    with dovecot.client() as client:  # the OAuth account has its own INBOX
        client.logout()
    for _app in app_for(tmp_path / "instance", dovecot, **settings):
        summary, _sent = runner.poll_once()
        assert summary.fetched == 0
        beat = db.session.scalars(select(GatewayHeartbeat)).one()
        assert beat.mailbox.startswith(f"imap://{dovecot.oauth_username}@")


def test_xoauth2_login_with_a_token_command_and_a_wrong_token(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    settings = {"IMAP_AUTH": "xoauth2", "IMAP_USERNAME": dovecot.oauth_username}
    good = f"{sys.executable} -c 'print(\"{dovecot.oauth_token}\")'"
    for _app in app_for(tmp_path / "instance", dovecot, IMAP_OAUTH2_TOKEN_COMMAND=good, **settings):
        summary, _sent = runner.poll_once()
        assert summary.fetched == 0
    stale = f"{sys.executable} -c 'print(\"ya29.expired-token\")'"
    for _app in app_for(tmp_path / "other", dovecot, IMAP_OAUTH2_TOKEN_COMMAND=stale, **settings):
        with pytest.raises(GatewayError, match="refused the login") as caught:
            runner.poll_once()
        assert "expired-token" not in str(caught.value)
    dovecot.forget_failed_logins()


def test_token_command_output_is_the_first_line(tmp_path: Path) -> None:
    command = f"{sys.executable} -c 'print(\"\\n  tok-123  \\nmore\")'"
    assert oauth.access_token({"IMAP_OAUTH2_TOKEN_COMMAND": command}) == "tok-123"


def test_a_failing_token_command_reports_its_error_not_its_output() -> None:
    script = "import sys; print('partial-secret'); sys.exit('helper: refresh token revoked')"
    command = f'{sys.executable} -c "{script}"'
    with pytest.raises(oauth.TokenUnavailable) as caught:
        oauth.access_token({"IMAP_OAUTH2_TOKEN_COMMAND": command})
    assert "exit status 1: helper: refresh token revoked" in str(caught.value)
    assert "partial-secret" not in str(caught.value)


def test_token_file_problems_are_explained(tmp_path: Path) -> None:
    with pytest.raises(oauth.TokenUnavailable, match="cannot read"):
        oauth.access_token({"IMAP_OAUTH2_TOKEN_FILE": str(tmp_path / "missing")})
    empty = tmp_path / "empty"
    empty.write_text("\n\n")
    with pytest.raises(oauth.TokenUnavailable, match="is empty"):
        oauth.access_token({"IMAP_OAUTH2_TOKEN_FILE": str(empty)})
    with pytest.raises(oauth.TokenUnavailable, match="neither"):
        oauth.access_token({})


def test_the_running_gateway_idles_picks_up_new_mail_and_stops_on_request(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    for app in app_for(tmp_path / "instance", dovecot, IMAP_IDLE_SECONDS=2):
        stop = threading.Event()
        thread = threading.Thread(target=run_gateway, args=(app, stop))
        thread.start()
        try:
            wait_until(lambda: db.session.scalars(select(GatewayHeartbeat)).first() is not None)
            deliver(dovecot, 1)
            wait_until(lambda: incidents() == 1)
            time.sleep(2.5)  # one IDLE renewal
            deliver(dovecot, 1, start=1)
            wait_until(lambda: incidents() == 2)
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()
    assert dovecot.folder_counts(*FOLDERS)["Processed"] == 2
