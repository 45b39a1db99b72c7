"""Helpers shared by the gateway's tests: apps on the private servers, waiting, subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Incident, OutboundEmail, ReceivedEmail
from mail_gateway import imap, runner
from mail_gateway.imap_settings import ImapSettings
from tests.conftest import make_app
from tests.mail.dovecot import DovecotServer
from tests.mail.messages import load, make_message

FOLDERS = ("INBOX", "Processed", "Quarantine")
HELPDESK = "from helpdesk.cli import main; main()"


def app_for(instance: Path, server: DovecotServer, **settings: object) -> Iterator[Flask]:
    """An app reading `server` with extra settings, inside an app context."""
    app = make_app(instance, **server.settings(**settings))
    with app.app_context():
        yield app
        db.session.remove()


def deliver(server: DovecotServer, count: int, start: int = 0) -> None:
    """Put `count` new user mails into the INBOX."""
    with server.client() as client:
        load(client, [make_message(number) for number in range(start, start + count)])


def counts() -> tuple[int, int]:
    """(incidents, received emails) in the database, as committed by anyone."""
    db.session.rollback()  # a fresh snapshot: other connections and processes have written
    return (
        db.session.scalar(select(func.count(Incident.id))) or 0,
        db.session.scalar(select(func.count(ReceivedEmail.id))) or 0,
    )


def wait_until(condition: Callable[[], bool], seconds: float = 15) -> None:
    """Poll `condition` (on a fresh database snapshot) until it holds, or fail the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("the gateway did not get there in time")


def run_gateway(app: Flask, stop: threading.Event) -> None:
    """Run the gateway loop in a thread with its own app context until `stop`."""
    with app.app_context():
        runner.Gateway(stop=stop).run()
        db.session.remove()


def open_mailbox(app: Flask) -> imap.Mailbox:
    """Connect as the gateway does and return the opened mailbox."""
    settings = ImapSettings.from_config(app.config)
    mailbox = imap.Mailbox(imap.connect(settings, app.config), settings)
    mailbox.open()
    return mailbox


def queue(recipient: str = "ana@example.org", subject: str = "Printer fixed") -> OutboundEmail:
    """Put one rendered message in the outbox, as the notification code does."""
    mail = EmailMessage()
    mail["From"] = "Helpdesk <support@helpdesk.localhost>"
    mail["To"] = recipient
    mail["Subject"] = f"[INC-000042] {subject}"
    mail["Message-ID"] = make_msgid(domain="helpdesk.localhost")
    mail["In-Reply-To"] = "<earlier@example.org>"
    mail["Auto-Submitted"] = "auto-replied"
    mail.set_content("Your printer works again.\n")
    row = OutboundEmail(
        recipient=recipient, subject=subject, message_id=mail["Message-ID"], raw=mail.as_bytes()
    )
    db.session.add(row)
    db.session.commit()
    return row


def gateway_env(app: Flask, settings: dict[str, object], **extra: str) -> dict[str, str]:
    """The environment of a `helpdesk` subprocess on the test's instance with `settings`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELPDESK_")}
    env["HELPDESK_INSTANCE"] = app.instance_path
    env["HELPDESK_SECRET_KEY"] = "test-secret"
    env.update({f"HELPDESK_{key}": str(value) for key, value in settings.items()})
    env.update(extra)
    return env


def helpdesk_command(*args: str) -> list[str]:
    """The argv of `helpdesk ARGS...` run with this interpreter."""
    return [sys.executable, "-c", HELPDESK, *args]


def helpdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `helpdesk ARGS...` to the end in a subprocess."""
    return subprocess.run(
        helpdesk_command(*args), env=env, capture_output=True, text=True, timeout=120
    )
