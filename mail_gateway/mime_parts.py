"""MIME parts of a parsed mail: content type and parameters, Content-ID, the decoded content
and the parser's defects, each tolerant of broken input (policy.default accessors may raise
on a broken header: `safe` falls back)."""

from __future__ import annotations

import re
from collections.abc import Callable
from email import policy
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import TypeVar

T = TypeVar("T")

_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")  # RFC 6838
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def safe(getter: Callable[[], T], default: T) -> T:
    """Call a policy.default accessor that may raise on a broken header; default if it does."""
    try:
        return getter()
    except Exception:
        return default


def content_type(part: Message) -> str:
    """The part's content type; "text/plain" when missing or not a type/subtype of MIME's
    token characters, as RFC 2045 says for a syntactically invalid one."""
    ctype = safe(part.get_content_type, "")
    if not ctype:
        raw = next((str(v) for k, v in part.raw_items() if k.lower() == "content-type"), "")
        ctype = raw.split(";")[0].strip().lower()
    return ctype if _MIME_TYPE.fullmatch(ctype) else "text/plain"


def param(part: Message, name: str) -> str:
    """A Content-Type parameter as a string ("" when absent or unreadable)."""
    value = safe(lambda: part.get_param(name), None)
    return str(collapse_rfc2231_value(value)) if value else ""


def serialize(message: Message) -> bytes:
    """Bytes of a parsed sub-message; compat32 first, as it re-folds nothing."""
    for render in (
        lambda: message.as_bytes(policy=policy.compat32),
        lambda: message.as_bytes(),
        lambda: message.as_string(policy=policy.compat32).encode("utf-8", "replace"),
    ):
        try:
            return render()
        except Exception:
            continue
    return b""


def payload_bytes(part: Message, defects: list[str]) -> bytes:
    """The decoded content of a part (base64/quoted-printable undone) as bytes."""
    if part.is_multipart():
        items = part.get_payload()
        return b"\n".join(serialize(item) for item in items if isinstance(item, Message))
    try:
        data = part.get_payload(decode=True)
    except Exception as error:
        defects.append(f"Could not decode a {content_type(part)} part: {error!r}")
        data = None
    return data if isinstance(data, bytes) else b""


def part_defects(part: Message, ctype: str) -> list[str]:
    """The email package's defects on one part, as sentences."""
    return [f"{ctype} part: {_describe(defect)}" for defect in getattr(part, "defects", [])]


def _describe(defect: Exception) -> str:
    """Make "InvalidBase64PaddingDefect" read as "invalid base64 padding"."""
    words = _CAMEL.sub(" ", type(defect).__name__.removesuffix("Defect")).lower()
    detail = str(defect)
    return f"{words} ({detail})" if detail and detail.lower() != words else words
