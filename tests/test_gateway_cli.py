"""`helpdesk gateway poll --once | send --once | run` and `python -m mail_gateway`."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpdesk import cli, create_app
from helpdesk.extensions import db
from helpdesk.models import GatewayHeartbeat
from mail_gateway import runner
from mail_gateway.ingest import ingest
from tests.conftest import make_app
from tests.mail.dovecot import DovecotServer
from tests.mail.helpers import (
    app_for,
    counts,
    deliver,
    gateway_env,
    helpdesk_command,
    queue,
    wait_until,
)
from tests.mail.messages import make_message
from tests.mail.smtp_sink import SmtpSink
from tests.pg import free_port


def invoke(app: Flask, *args: str):
    """Run a `helpdesk` subcommand against `app`."""
    return app.test_cli_runner().invoke(cli.main, list(args))


@pytest.fixture
def imap_app(tmp_path: Path, dovecot: DovecotServer) -> Iterator[Flask]:
    """An app whose gateway reads the private Dovecot."""
    yield from app_for(tmp_path / "instance", dovecot)


def test_poll_once_prints_what_it_did_and_exits_0(
    imap_app: Flask,
    dovecot: DovecotServer,
) -> None:
    deliver(dovecot, 2)
    result = invoke(imap_app, "gateway", "poll", "--once")
    assert result.exit_code == 0, result.output
    assert "Mail: fetched 2, new incidents 2, replies 0," in result.output
    assert "ignored 0" in result.output and "quarantined 0" in result.output
    assert "Outbox: sent 0, deferred 0, failed 0" in result.output
    assert counts() == (2, 2)


def test_poll_once_reads_the_maildir_drop_folder_in_the_embedded_setup(app: Flask) -> None:
    new = Path(app.config["MAILDROP_DIR"]) / "new"
    for sub in ("new", "cur", "tmp"):
        (new.parent / sub).mkdir(parents=True, exist_ok=True)
    (new / "1700000000.M1P1.host").write_bytes(make_message(1))
    result = invoke(app, "gateway", "poll", "--once")
    assert result.exit_code == 0, result.output
    assert "Mail: fetched 1, new incidents 1," in result.output
    assert counts() == (1, 1)
    beat = db.session.scalars(select(GatewayHeartbeat)).one()
    assert beat.mailbox.startswith("maildir:")


def test_a_drop_folder_mail_that_breaks_ingest_waits_and_the_console_says_why(
    app: Flask,
) -> None:
    new = Path(app.config["MAILDROP_DIR"]) / "new"
    for sub in ("new", "cur", "tmp"):
        (new.parent / sub).mkdir(parents=True, exist_ok=True)
    (new / "1700000000.M1P1.host").write_bytes(make_message(1))
    (new / "1700000000.M2P2.host").write_bytes(make_message(2))

    def buggy_for_the_second(raw: bytes, source: str) -> object:
        result = ingest(raw, source)
        if source.endswith("M2P2.host"):
            raise RuntimeError("a bug after its incident was staged")
        return result

    summary, _sent = runner.poll_once(buggy_for_the_second)
    assert (summary.new_incidents, summary.failed, summary.waiting) == (1, 1, 1)
    assert counts() == (1, 1)
    beat = db.session.scalars(select(GatewayHeartbeat)).one()
    assert beat.messages_waiting == 1
    assert "could not be processed" in beat.last_error
    again, _sent = runner.poll_once()
    assert again.new_incidents == 1 and counts() == (2, 2)


def test_poll_once_explains_a_refused_login_without_a_traceback(
    tmp_path: Path,
    dovecot: DovecotServer,
) -> None:
    for app in app_for(tmp_path / "instance", dovecot, IMAP_PASSWORD="hunter2-wrong"):
        result = invoke(app, "gateway", "poll", "--once")
        assert result.exit_code == 1
        assert "Error: mail gateway: the IMAP server 127.0.0.1 refused the login of support" in (
            result.output
        )
        assert "hunter2-wrong" not in result.output
        assert "Traceback" not in result.output
    dovecot.forget_failed_logins()


def test_poll_once_explains_an_unreachable_server(tmp_path: Path) -> None:
    port = free_port()
    settings = {"INBOUND_TRANSPORT": "imap", "IMAP_SECURITY": "plain", "IMAP_PORT": port}
    app = make_app(tmp_path / "instance", **settings)
    with app.app_context():
        result = invoke(app, "gateway", "poll", "--once")
    assert result.exit_code == 1
    assert f"cannot connect to the IMAP server 127.0.0.1:{port}: Connection refused" in (
        result.output
    )


def test_poll_without_once_is_a_usage_error(app: Flask) -> None:
    result = invoke(app, "gateway", "poll")
    assert result.exit_code == 2
    assert "poll needs --once" in result.output


def test_poll_on_an_uninitialised_instance_says_to_run_init(tmp_path: Path) -> None:
    bare = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "fresh")})
    result = invoke(bare, "gateway", "poll", "--once")
    assert result.exit_code == 1
    assert "Run `helpdesk init` first." in result.output


def test_send_once_drains_the_outbox(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    app = make_app(tmp_path / "instance", **smtp_sink.settings())
    with app.app_context():
        queue()
        result = invoke(app, "gateway", "send", "--once")
        assert result.exit_code == 0, result.output
        assert "Outbox: sent 1, deferred 0, failed 0" in result.output
        assert len(smtp_sink.deliveries) == 1
        db.session.remove()


@pytest.mark.parametrize(
    ("command", "stop_signal"),
    [
        (helpdesk_command("gateway", "run"), signal.SIGTERM),
        ([sys.executable, "-m", "mail_gateway"], signal.SIGINT),
    ],
    ids=["helpdesk-gateway-run-SIGTERM", "python-m-mail_gateway-SIGINT"],
)
def test_the_gateway_runs_until_a_signal_and_stops_cleanly(
    imap_app: Flask,
    dovecot: DovecotServer,
    command: list[str],
    stop_signal: signal.Signals,
) -> None:
    env = gateway_env(imap_app, dovecot.settings(IMAP_IDLE_SECONDS=60))
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deliver(dovecot, 1)
        wait_until(lambda: counts() == (1, 1), seconds=30)
        wait_until(lambda: db.session.scalars(select(GatewayHeartbeat)).first() is not None)
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Mail gateway stopped." in out
    assert dovecot.password not in out + err
    assert "Traceback" not in err


def test_the_embedded_gateway_watches_the_maildir_drop_folder(app: Flask) -> None:
    drop = Path(app.config["MAILDROP_DIR"])
    for sub in ("new", "cur", "tmp"):
        (drop / sub).mkdir(parents=True, exist_ok=True)
    env = gateway_env(app, {"INBOUND_TRANSPORT": "maildir", "IMAP_POLL_SECONDS": 1})
    process = subprocess.Popen(
        helpdesk_command("gateway", "run"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: db.session.scalars(select(GatewayHeartbeat)).first() is not None)
        (drop / "new" / "1700000001.M2P2.host").write_bytes(make_message(7))
        wait_until(lambda: counts() == (1, 1))
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Mail gateway stopped." in out
