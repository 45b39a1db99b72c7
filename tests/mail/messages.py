"""Generated test mail: small, distinct messages with their own Message-IDs."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid


def make_message(
    number: int,
    sender: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    to: str = "support@helpdesk.localhost",
) -> bytes:
    """A plain-text mail from a user to the support address, numbered for telling apart."""
    message = EmailMessage()
    message["From"] = sender or f"User {number} <user{number % 97}@example.org>"
    message["To"] = to
    message["Subject"] = subject or f"Printer on floor {number} is jammed"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(f"t{number}", domain="example.org")
    message.set_content(
        body
        or f"Hello,\n\nthe printer on floor {number} shows error E{number:04d} since this "
        "morning. Could someone look at it?\n\nThanks\n"
    )
    return message.as_bytes()


def load(client, messages: list[bytes], folder: str = "INBOX") -> None:
    """Append messages to a folder with a logged-in IMAPClient (unseen, as delivered)."""
    for raw in messages:
        client.append(folder, raw)
