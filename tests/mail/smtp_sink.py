"""An SMTP sink on loopback (aiosmtpd): collects what the outbox sends, or refuses on demand.

`refuse(count)` makes the next `count` deliveries fail at DATA with a temporary 451, the way
a greylisting or overloaded server answers; after that the sink accepts again. With
`secure=True` it offers STARTTLS with a self-signed certificate and requires AUTH over it,
so the outbox's TLS and login path runs for real.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.mail.dovecot import make_certificate
from tests.pg import free_port

USERNAME = "mailer"
PASSWORD = "sink-password"


@dataclass(frozen=True)
class Delivery:
    """One accepted message: the envelope and the bytes exactly as received."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def parsed(self) -> EmailMessage:
        """The delivered message, parsed, to look at its headers."""
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


class SmtpSink:
    """The aiosmtpd handler and its controller, on a free 127.0.0.1 port."""

    def __init__(self, secure: bool = False) -> None:
        """Prepare an empty sink; `secure` adds STARTTLS and required AUTH."""
        self.host = "127.0.0.1"
        self.port = free_port()
        self.secure = secure
        self.deliveries: list[Delivery] = []
        self.refusals: list[str] = []
        self._folder = Path(tempfile.mkdtemp(prefix="helpdesk-smtp-"))  # the certificate
        self.controller = Controller(self, hostname=self.host, port=self.port, **self._options())

    def _options(self) -> dict[str, Any]:
        """Controller options: nothing for a plain sink, TLS and AUTH for a secure one."""
        if not self.secure:
            return {}
        make_certificate(self._folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, str(self._folder / "key.pem"))
        return {
            "tls_context": context,
            "require_starttls": True,
            "auth_required": True,
            "authenticator": self._authenticate,
        }

    @property
    def cert_file(self) -> str:
        """The sink's self-signed certificate (secure sinks only)."""
        return str(self._folder / "cert.pem")

    def _authenticate(self, server: Any, session: Session, envelope: Envelope, *args: Any) -> Any:
        """Accept exactly the sink's username and password."""
        mechanism, data = args[0], args[1]
        good = (
            mechanism in ("LOGIN", "PLAIN")
            and isinstance(data, LoginPassword)
            and (data.login, data.password) == (USERNAME.encode(), PASSWORD.encode())
        )
        return AuthResult(success=good, handled=False)

    def refuse(self, count: int, reply: str = "451 4.3.0 Try again later") -> None:
        """Refuse the next `count` messages at DATA with `reply`."""
        self.refusals = [reply] * count

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        """Accept (and keep) the message, or refuse it while refusals are queued."""
        if self.refusals:
            return self.refusals.pop()
        self.deliveries.append(
            Delivery(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=bytes(envelope.original_content or envelope.content or b""),
            )
        )
        return "250 2.0.0 Accepted"

    def start(self) -> None:
        """Start listening."""
        self.controller.start()

    def stop(self) -> None:
        """Stop listening and remove the certificate folder."""
        self.controller.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    def settings(self, **overrides: object) -> dict[str, object]:
        """Helpdesk config keys that send the outbox to this sink."""
        settings: dict[str, object] = {
            "OUTBOX_TRANSPORT": "smtp",
            "SMTP_HOST": self.host,
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": "plain",
            "SMTP_TIMEOUT_SECONDS": 10,
        }
        if self.secure:
            settings.update(
                SMTP_SECURITY="starttls",
                SMTP_USERNAME=USERNAME,
                SMTP_PASSWORD=PASSWORD,
                SMTP_CA_FILE=self.cert_file,
            )
        return {**settings, **overrides}


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A running plain SMTP sink, stopped after the test."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def secure_smtp_sink() -> Iterator[SmtpSink]:
    """A running SMTP sink that requires STARTTLS and a login."""
    sink = SmtpSink(secure=True)
    sink.start()
    yield sink
    sink.stop()
