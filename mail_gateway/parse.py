"""Raw bytes -> ParsedMail, with the standard library's `email` package (policy.default).

parse() never raises: mail from the internet is broken in every way a parser can imagine,
and one bad message must not stop the gateway. Whatever had to be guessed or repaired is
written to ParsedMail.defects in words an agent can read; where policy.default itself
chokes on a header, the compat32 helpers (email.header, email.utils) decode it instead.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from typing import TypeVar

from mail_gateway.decode import (
    addresses,
    decode_text,
    decode_words,
    header_map,
    message_ids,
    parse_date,
    unsurrogate,
)
from mail_gateway.html import html_to_text, sanitize_html
from mail_gateway.loops import read_delivery_report
from mail_gateway.parsed import ParsedAttachment, ParsedMail

T = TypeVar("T")
# Text beyond this is cut (with a defect); attachments and the raw mail are kept whole.
MAX_TEXT_CHARS = 1_000_000
MAX_DEPTH = 30
MAX_DEFECTS = 50
ADDRESS_HEADERS = ("from", "to", "cc", "reply-to")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_DEFAULT_NAMES = {
    "text/calendar": "invite.ics",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "original-headers.txt",
}
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass
class _Body:
    """What the walk over the MIME tree collects."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def parse(raw: bytes) -> ParsedMail:
    """Decode one email into a ParsedMail; never raises, problems end up in `defects`."""
    raw = bytes(raw)
    try:
        mail = _parse(raw)
    except Exception as error:  # the last line of defence: a stdlib bug must not stop intake
        return _unparsed(raw, error)
    try:
        mail.report = read_delivery_report(mail)
    except Exception as error:
        mail.defects.append(f"Could not read the delivery report: {error!r}")
    return mail


def _parse(raw: bytes) -> ParsedMail:
    """Do the real work of parse(); may raise only on bugs in the email package."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    body = _Body()
    headers = header_map(message)
    people = {name: addresses(message, name, body.defects) for name in ADDRESS_HEADERS}
    from_name, from_address = (people["from"] or [("", "")])[0]
    if "=?" in headers.get("subject", "") + from_name:
        body.defects.append("Malformed encoded words (=?...?=) were left undecoded.")
    message_id = next(iter(message_ids(headers.get("message-id", ""), loose=True)), None)
    _collect(message, body, depth=0)
    text, html = _texts(body)
    return ParsedMail(
        raw=raw,
        dedupe_key=message_id or _content_hash(raw),
        message_id=message_id,
        subject=" ".join(headers.get("subject", "").split()),
        from_address=from_address,
        from_name=from_name,
        to=[address for _, address in people["to"]],
        cc=[address for _, address in people["cc"]],
        reply_to=[address for _, address in people["reply-to"]],
        in_reply_to=message_ids(headers.get("in-reply-to", "")),
        references=message_ids(headers.get("references", "")),
        date=parse_date(headers.get("date", ""), body.defects),
        text=text,
        html=html,
        attachments=body.attachments,
        headers=headers,
        defects=list(dict.fromkeys(body.defects))[:MAX_DEFECTS],
    )


def _unparsed(raw: bytes, error: Exception) -> ParsedMail:
    """Keep a mail the email package could not parse at all, as undecoded text."""
    text, _ = decode_text(raw[:MAX_TEXT_CHARS], None)
    return ParsedMail(
        raw=raw,
        dedupe_key=_content_hash(raw),
        message_id=None,
        subject="",
        from_address="",
        from_name="",
        text=text.replace("\x00", ""),
        defects=[f"The message could not be parsed ({error!r}); kept as raw text."],
    )


def _content_hash(raw: bytes) -> str:
    """Name a mail without a Message-ID by its content, so a re-fetch is still recognised."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# -- body ---------------------------------------------------------------------------------


def _collect(part: Message, body: _Body, depth: int) -> None:
    """Walk the MIME tree: text parts to the body, everything else to attachments."""
    ctype = _content_type(part)
    if depth > MAX_DEPTH:
        body.defects.append(f"MIME parts nested deeper than {MAX_DEPTH} levels were skipped.")
        return
    if ctype in ("message/rfc822", "message/global"):
        body.attachments.append(_attached_message(part, len(body.attachments) + 1))
    elif part.is_multipart() and ctype.startswith("multipart/"):
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, body, depth + 1)
    else:
        _leaf(part, ctype, body)
    body.defects.extend(_part_defects(part, ctype))


def _leaf(part: Message, ctype: str, body: _Body) -> None:
    """File one non-multipart part as body text, inline image or attachment."""
    data = _payload_bytes(part, body.defects)
    filename = _filename(part)
    disposition = _safe(part.get_content_disposition, None)
    if ctype.startswith("multipart/"):
        ctype = "text/plain"  # a multipart without a usable boundary: its text is all we have
    if ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
        text, problem = decode_text(data, _charset(part))
        if problem:
            body.defects.append(f"{ctype} part: {problem}")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if ctype == "text/plain" and _param(part, "format").lower() == "flowed":
            text = _unflow(text, _param(part, "delsp").lower() == "yes")
        (body.html if ctype == "text/html" else body.plain).append(text)
        return
    content_id = _content_id(part)
    inline = bool(content_id) and disposition != "attachment" and ctype.startswith("image/")
    name = filename or _default_name(ctype, len(body.attachments) + 1)
    body.attachments.append(ParsedAttachment(name, ctype, data, inline, content_id))


def _attached_message(part: Message, number: int) -> ParsedAttachment:
    """An attached (forwarded or bounced) message, kept as an .eml file."""
    payload = part.get_payload() if part.is_multipart() else None
    inner = payload[0] if payload else None
    if isinstance(inner, Message):
        data = _serialize(inner)
        subject = header_map(inner).get("subject", "")
    else:
        data, subject = _payload_bytes(part, []), ""
    name = _filename(part) or _safe_filename(subject)[:80] or f"attached-message-{number}"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    return ParsedAttachment(name, "message/rfc822", data)


def _serialize(message: Message) -> bytes:
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


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    """The decoded content of a part (base64/quoted-printable undone) as bytes."""
    if part.is_multipart():
        items = part.get_payload()
        return b"\n".join(_serialize(item) for item in items if isinstance(item, Message))
    try:
        data = part.get_payload(decode=True)
    except Exception as error:
        defects.append(f"Could not decode a {_content_type(part)} part: {error!r}")
        data = None
    return data if isinstance(data, bytes) else b""


def _texts(body: _Body) -> tuple[str, str | None]:
    """The plain text (converted from HTML when there is no text part) and sanitized HTML."""
    plain = _tidy("\n\n".join(part for part in body.plain if part.strip()), body.defects)
    html_source = _tidy("\n".join(body.html), body.defects) if body.html else None
    html = sanitize_html(html_source).strip() if html_source is not None else None
    if not plain.strip() and html_source:
        plain = html_to_text(html_source)[:MAX_TEXT_CHARS]
    return plain, html


def _tidy(text: str, defects: list[str]) -> str:
    """Unix line endings, no NUL characters, and a bounded size for what gets processed."""
    if "\x00" in text:
        defects.append("NUL bytes were removed from the text.")
        text = text.replace("\x00", "")
    if len(text) > MAX_TEXT_CHARS:
        defects.append(f"Body text longer than {MAX_TEXT_CHARS:,} characters; cut there.")
        text = text[:MAX_TEXT_CHARS]
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


def _unflow(text: str, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed soft line breaks, so paragraphs read as paragraphs."""
    lines: list[str] = []
    joining = False
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if joining:
            lines[-1] += line
        else:
            lines.append(line)
        joining = line.endswith(" ") and line != "-- "
        if joining and delsp:
            lines[-1] = lines[-1][:-1]
    return "\n".join(lines)


# -- part details -------------------------------------------------------------------------


def _safe(getter: Callable[[], T], default: T) -> T:
    """Call a policy.default accessor that may raise on a broken header; default if it does."""
    try:
        return getter()
    except Exception:
        return default


def _content_type(part: Message) -> str:
    """The part's content type, "text/plain" when missing or unreadable."""
    ctype = _safe(part.get_content_type, "")
    if not ctype:
        raw = next((str(v) for k, v in part.raw_items() if k.lower() == "content-type"), "")
        ctype = raw.split(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"


def _param(part: Message, name: str) -> str:
    """A Content-Type parameter as a string ("" when absent or unreadable)."""
    value = _safe(lambda: part.get_param(name), None)
    return str(collapse_rfc2231_value(value)) if value else ""


def _charset(part: Message) -> str | None:
    """The declared charset of a text part, if any."""
    return _param(part, "charset") or None


def _filename(part: Message) -> str:
    """The part's decoded file name (RFC 2231, or the common RFC 2047 misuse), made safe."""
    name = _safe(part.get_filename, None) or ""
    name = name if isinstance(name, str) else ""
    if "=?" in name:
        name = decode_words(name)
    return _safe_filename(unsurrogate(name))


def _safe_filename(name: str) -> str:
    """A file name without directories, control characters or characters Windows forbids."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("_", name).strip(" .")
    return name[:200]


def _default_name(ctype: str, number: int) -> str:
    """A name for an attachment that came without one, with a fitting extension."""
    if ctype in _DEFAULT_NAMES:
        return _DEFAULT_NAMES[ctype]
    return f"attachment-{number}{mimetypes.guess_extension(ctype) or '.bin'}"


def _content_id(part: Message) -> str | None:
    """The Content-ID without its <brackets>, as cid: URLs in the HTML name it."""
    value = _safe(lambda: str(part.get("content-id", "") or ""), "")
    value = value.strip().strip("<>").strip()
    return value or None


def _part_defects(part: Message, ctype: str) -> list[str]:
    """The email package's defects on one part, as sentences."""
    return [f"{ctype} part: {_describe(defect)}" for defect in getattr(part, "defects", [])]


def _describe(defect: Exception) -> str:
    """Make "InvalidBase64PaddingDefect" read as "invalid base64 padding"."""
    words = _CAMEL.sub(" ", type(defect).__name__.removesuffix("Defect")).lower()
    detail = str(defect)
    return f"{words} ({detail})" if detail and detail.lower() != words else words
