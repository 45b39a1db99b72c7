"""What the mail health page says of the gateway: "Running" only while a long-running
gateway reports, never after a one-off `gateway poll --once`; a good pass clears the
last error."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk import cli
from helpdesk.extensions import db
from helpdesk.models import GatewayHeartbeat
from mail_gateway import health, runner
from mail_gateway.maildir import make_maildir
from tests.conftest import AuthActions
from tests.factories import gen_user
from tests.mail.helpers import run_gateway, wait_until

URL = "/agent/mail/health"
NOW = datetime(2026, 3, 4, 12, 0)
STALE = timedelta(minutes=3)


@pytest.fixture
def drop_folder(app: Flask) -> Path:
    """The instance's drop folder, laid out as `helpdesk init` does."""
    folder = Path(app.config["MAILDROP_DIR"])
    make_maildir(folder)
    return folder


def page(client: FlaskClient, auth: AuthActions) -> str:
    """The health page as an agent sees it."""
    auth.login(gen_user("agent").email)
    return client.get(URL).get_data(as_text=True)


def poll_once(app: Flask) -> None:
    """Run `helpdesk gateway poll --once` and check it worked."""
    result = app.test_cli_runner().invoke(cli.main, ["gateway", "poll", "--once"])
    assert result.exit_code == 0, result.output


def test_a_one_off_poll_is_not_a_running_gateway(
    app: Flask, client: FlaskClient, auth: AuthActions, drop_folder: Path
) -> None:
    poll_once(app)
    text = page(client, auth)
    assert "Not running" in text and ">Running<" not in text
    assert "No gateway is running" in text and "helpdesk gateway run" in text


def test_a_good_pass_clears_the_last_error(
    app: Flask, client: FlaskClient, auth: AuthActions, drop_folder: Path
) -> None:
    mailbox = runner.mailbox_name()
    health.record_error(mailbox, "the mail drop folder /x/new does not exist")
    poll_once(app)
    beat = db.session.scalars(db.select(GatewayHeartbeat)).one()
    assert beat.last_error is None
    text = page(client, auth)
    assert "does not exist" not in text and "Failing" not in text


def test_a_missing_drop_folder_is_named_by_poll_once_and_on_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    result = app.test_cli_runner().invoke(cli.main, ["gateway", "poll", "--once"])
    missing = Path(app.config["MAILDROP_DIR"]) / "new"
    assert result.exit_code == 1
    assert f"the mail drop folder {missing} does not exist" in result.output
    assert "No such file or directory" not in result.output
    text = page(client, auth)
    assert "Failing" in text and f"{missing} does not exist" in text


def test_the_running_gateway_says_running_and_stopped(
    app: Flask, client: FlaskClient, auth: AuthActions, drop_folder: Path
) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=run_gateway, args=(app, stop))
    thread.start()
    try:
        wait_until(lambda: db.session.scalars(db.select(GatewayHeartbeat)).first() is not None)
        assert ">Running<" in page(client, auth)
    finally:
        stop.set()
        thread.join(30)
    db.session.rollback()
    text = client.get(URL).get_data(as_text=True)
    assert "Not running" in text and ">Running<" not in text


def beat(**fields: object) -> GatewayHeartbeat:
    """A heartbeat as plain data: last polled and succeeded a minute ago, no error."""
    minute_ago = NOW - timedelta(minutes=1)
    values: dict[str, object] = {"last_poll_at": minute_ago, "last_success_at": minute_ago}
    return GatewayHeartbeat(mailbox="maildir:/drop", **{**values, **fields})


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, health.NOT_RUNNING),  # one-off passes only, or a gateway that stopped
        ({"running_at": NOW - timedelta(minutes=1)}, health.RUNNING),
        ({"running_at": NOW - timedelta(hours=1)}, health.NOT_REPORTING),  # killed
        ({"last_error": "boom", "last_poll_at": NOW}, health.FAILING),
        ({"last_error": "2 messages wait"}, health.NOT_RUNNING),  # reported by a good pass
        ({"last_error": "boom", "last_poll_at": NOW, "running_at": NOW}, health.FAILING),
    ],
)
def test_gateway_state(fields: dict[str, object], state: str) -> None:
    assert health.gateway_state(beat(**fields), NOW, STALE) == state
