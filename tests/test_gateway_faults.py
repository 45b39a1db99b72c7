"""Faults between the mail server and the database: nothing lost, nothing doubled.

How each fault is caused: a crash before the IMAP move is the gateway's own fault hook
(MAIL_GATEWAY_FAULT) raising there; a dropped connection is the real TCP socket shut
down under IMAPClient mid-batch, or the real Dovecot restarted mid-batch; a killed
process is `helpdesk gateway poll --once` in a subprocess that os._exit()s right after
its first commit; an unreachable server is Dovecot stopped while the gateway runs.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import GatewayHeartbeat
from mail_gateway import imap, runner
from mail_gateway.failures import NETWORK_ERRORS
from mail_gateway.ingest import ingest
from tests.conftest import make_app
from tests.mail.dovecot import DovecotServer
from tests.mail.helpers import (
    FOLDERS,
    counts,
    deliver,
    gateway_env,
    helpdesk,
    open_mailbox,
    run_gateway,
    wait_until,
)
from tests.mail.messages import load, make_message


@pytest.fixture
def imap_app(tmp_path: Path, dovecot: DovecotServer) -> Iterator[Flask]:
    """An app on the private Dovecot with batches of four."""
    app = make_app(tmp_path / "instance", **dovecot.settings(IMAP_BATCH_SIZE=4))
    with app.app_context():
        yield app
        db.session.remove()


def test_a_crash_between_commit_and_move_is_harmless(
    imap_app: Flask,
    dovecot: DovecotServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deliver(dovecot, 3)
    monkeypatch.setenv(imap.FAULT_ENV, "fail-before-move")
    with pytest.raises(imap.FaultInjected):
        runner.poll_once()
    assert counts() == (3, 3)
    assert dovecot.folder_counts(*FOLDERS)["INBOX"] == 3  # committed, but not moved

    monkeypatch.delenv(imap.FAULT_ENV)
    summary, _sent = runner.poll_once()
    assert (summary.duplicates, summary.new_incidents) == (3, 0)
    assert counts() == (3, 3)
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 3, "Quarantine": 0}


def test_a_connection_dropped_mid_batch_loses_and_doubles_nothing(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 10)
    mailbox = open_mailbox(imap_app)
    ingested = 0

    def cut_after_the_sixth(raw: bytes, source: str) -> object:
        nonlocal ingested
        result = ingest(raw, source)
        ingested += 1
        if ingested == 6:  # mid-way through the second batch of four
            mailbox.client.socket().shutdown(socket.SHUT_RDWR)
        return result

    with pytest.raises(NETWORK_ERRORS):
        imap.poll(mailbox, cut_after_the_sixth)
    mailbox.client.shutdown()
    # The second batch was already fetched, so it was ingested; its move never happened.
    assert counts() == (8, 8)
    assert dovecot.folder_counts(*FOLDERS)["Processed"] == 4

    summary, _sent = runner.poll_once()
    assert (summary.fetched, summary.duplicates, summary.new_incidents) == (6, 4, 2)
    assert counts() == (10, 10)
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 10, "Quarantine": 0}


def test_a_server_restart_mid_batch_loses_and_doubles_nothing(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 7)
    ingested = 0

    def restart_after_the_fifth(raw: bytes, source: str) -> object:
        nonlocal ingested
        result = ingest(raw, source)
        ingested += 1
        if ingested == 5:
            dovecot.restart()
        return result

    with pytest.raises(NETWORK_ERRORS):
        runner.poll_once(restart_after_the_fifth)
    beat = db.session.scalars(select(GatewayHeartbeat)).one()
    assert beat.last_error
    runner.poll_once()
    assert counts() == (7, 7)
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 7, "Quarantine": 0}


def test_a_process_killed_between_commit_and_move_creates_each_incident_once(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 6)
    settings = dovecot.settings(IMAP_BATCH_SIZE=4)
    killed = helpdesk(
        "gateway",
        "poll",
        "--once",
        env=gateway_env(imap_app, settings, **{imap.FAULT_ENV: "exit-after-commit"}),
    )
    assert killed.returncode == 75, killed.stderr
    assert counts() == (4, 4)  # the first batch committed, then the process died
    assert dovecot.folder_counts(*FOLDERS)["INBOX"] == 6

    rerun = helpdesk("gateway", "poll", "--once", env=gateway_env(imap_app, settings))
    assert rerun.returncode == 0, rerun.stderr
    assert "fetched 6, new incidents 2," in rerun.stdout
    assert "duplicates 4" in rerun.stdout
    assert counts() == (6, 6)
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 6, "Quarantine": 0}


def test_the_running_gateway_reconnects_after_the_server_comes_back(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    app = make_app(tmp_path / "instance", **dovecot.settings(IMAP_IDLE_SECONDS=30))
    with app.app_context():
        stop = threading.Event()
        thread = threading.Thread(target=run_gateway, args=(app, stop))
        thread.start()
        try:
            wait_until(lambda: db.session.scalars(select(GatewayHeartbeat)).first() is not None)
            dovecot.stop(remove=False)
            wait_until(lambda: bool(db.session.scalars(select(GatewayHeartbeat.last_error)).one()))
            dovecot.start()
            with dovecot.client() as client:
                load(client, [make_message(1)])
            wait_until(lambda: counts() == (1, 1), seconds=30)
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()
        db.session.remove()


def test_a_second_gateway_on_the_same_mailbox_doubles_nothing(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 5)
    first, second = open_mailbox(imap_app), open_mailbox(imap_app)
    raced = False

    def race_after_the_first(raw: bytes, source: str) -> object:
        nonlocal raced
        result = ingest(raw, source)
        if not raced:  # the other gateway takes everything before this one moves anything
            raced = True
            other = imap.poll(second, ingest)
            assert (other.duplicates, other.new_incidents) == (1, 4)
        return result

    summary = imap.poll(first, race_after_the_first)
    first.client.logout()
    second.client.logout()
    # Batches of four: the fifth message was gone before this gateway fetched it.
    assert (summary.fetched, summary.new_incidents, summary.duplicates) == (4, 1, 3)
    assert counts() == (5, 5)
    assert dovecot.folder_counts(*FOLDERS) == {"INBOX": 0, "Processed": 5, "Quarantine": 0}
