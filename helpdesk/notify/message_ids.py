"""Signed Message-IDs: each outgoing mail names its incident and message, with an HMAC tag.

A reply's In-Reply-To/References then leads back to the exact message even when the user
rewrote the subject, and nobody can forge an id that attaches mail to someone else's
incident without the instance's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask import current_app

from helpdesk.core.settings import settings

TAG_LENGTH = 20
SIGNED_ID = re.compile(r"<hd\.(\d+)\.(\d+)\.([0-9a-f]{8})\.([0-9a-f]+)@[^>]+>", re.IGNORECASE)


@dataclass(frozen=True)
class SignedId:
    """The incident and message (0 when none) that a verified Message-ID names."""

    incident_id: int
    message_row_id: int


def _tag(payload: str) -> str:
    """The HMAC tag of a Message-ID payload under the instance's secret."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"message-id:" + payload.encode(), hashlib.sha256).hexdigest()[:TAG_LENGTH]


def mail_domain() -> str:
    """The support address's domain, which every Message-ID we make ends in."""
    return settings().site.support_address.rpartition("@")[2] or "helpdesk.localhost"


def signed_message_id(incident_id: int, message_row_id: int | None = None) -> str:
    """Return a fresh Message-ID for mail about an incident (and one of its messages)."""
    payload = f"{incident_id}.{message_row_id or 0}.{secrets.token_hex(4)}"
    return f"<hd.{payload}.{_tag(payload)}@{mail_domain()}>"


def verify(message_id: str) -> SignedId | None:
    """Return what a Message-ID names if its tag is genuine, else None."""
    match = SIGNED_ID.fullmatch(message_id.strip())
    if match is None:
        return None
    incident_id, message_row_id, nonce, tag = match.groups()
    payload = f"{incident_id}.{message_row_id}.{nonce.lower()}"
    if not hmac.compare_digest(_tag(payload), tag.lower()):
        return None
    return SignedId(int(incident_id), int(message_row_id))
