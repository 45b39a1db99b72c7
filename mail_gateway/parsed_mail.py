"""ParsedMail: what parse.py makes of raw bytes, and all that routing and ingest look at.

Plain data, no I/O: tests build these directly, and parse.py never raises, it records
defects instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ParsedAttachment:
    """A file carried by the mail: a real attachment, or an inline image (cid:)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str | None = None
    # Over the size limit given to parse(): not decoded, data is b"" and this is its size;
    # the file is then only in the original mail (ParsedMail.raw).
    omitted_size: int = 0


@dataclass(frozen=True)
class DeliveryReport:
    """What a bounce tells: which of our messages failed, for whom, and why."""

    original_message_id: str | None
    failed_recipients: tuple[str, ...]
    reason: str


@dataclass
class ParsedMail:
    """One email, decoded. Addresses are lower-cased; message ids keep their <brackets>."""

    raw: bytes
    dedupe_key: str  # the Message-ID, or "sha256:<hex>" of raw when there is none
    message_id: str | None
    subject: str
    from_address: str
    from_name: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""  # the whole plain-text body (from text/plain, or converted from HTML)
    html: str | None = None  # sanitized HTML when the mail had an HTML part
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Lower-cased header names -> decoded values, for loop and bulk detection.
    headers: dict[str, str] = field(default_factory=dict)
    report: DeliveryReport | None = None  # set when the mail is a bounce
    # The decoded Authentication-Results headers (RFC 8601), in the mail's order: the
    # topmost, added last by the nearest receiving server, comes first.
    authentication_results: tuple[str, ...] = ()
    defects: list[str] = field(default_factory=list)
