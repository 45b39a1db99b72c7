"""Raw bytes -> ParsedMail, with the standard library's `email` package (policy.default).

parse() never raises: mail from the internet is broken in every way a parser can imagine,
and one bad message must not stop the gateway. Whatever had to be guessed or repaired is
written to ParsedMail.defects in words an agent can read; where policy.default itself
chokes on a header, the compat32 helpers (email.header, email.utils) decode it instead.

Memory stays flat for huge attachments: a part too big for ingest to keep is neither
decoded nor even handed to the email package (see oversized.py); it is listed with its size,
and the raw mail, which ingest stores whole, still holds it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.feedparser import BytesFeedParser
from email.message import Message

from helpdesk.core.settings import DEFAULT_LIMITS
from mail_gateway.bounces import read_delivery_report
from mail_gateway.charsets import HeaderReader, decode_text
from mail_gateway.decode import (
    addresses,
    content_id,
    header_lists,
    header_map,
    message_ids,
    parse_date,
    unflow,
    unsurrogate,
)
from mail_gateway.filenames import default_name, filename, safe_filename
from mail_gateway.header_policy import POLICY
from mail_gateway.html import html_to_text, sanitize_html
from mail_gateway.mime_parts import (
    content_type,
    param,
    part_defects,
    payload_bytes,
    safe,
    serialize,
)
from mail_gateway.oversized import Cut, Omitted
from mail_gateway.parsed_mail import ParsedAttachment, ParsedMail

# Text beyond this is cut (with a defect); attachments and the raw mail are kept whole.
MAX_TEXT_CHARS = 1_000_000
# Parts bigger than ingest may store are not decoded: they are listed as omitted, and stay
# in the stored original mail. Ingest passes the instance's limit (settings().limits);
# this default, an instance's that sets none, is for callers without an app (tests, bench).
MAX_PART_BYTES = DEFAULT_LIMITS.max_upload_bytes
MAX_DEPTH = 30
MAX_DEFECTS = 50
ADDRESS_HEADERS = ("from", "to", "cc", "reply-to")
# What email.parser.Parser reads at a time; feeding bytes spares it a str copy of the mail.
_FEED_CHUNK = 8192


@dataclass
class _Body:
    """What the walk over the MIME tree collects."""

    omitted: Omitted
    names: HeaderReader  # reads raw 8-bit file names
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def parse(raw: bytes, *, max_part_bytes: int | None = MAX_PART_BYTES) -> ParsedMail:
    """Decode one email into a ParsedMail; never raises, problems end up in `defects`.

    Parts that decode to more than `max_part_bytes` (None: no limit) are not decoded:
    they appear as attachments with empty data and their `omitted_size`, and a defect
    names them.
    """
    raw = bytes(raw)
    try:
        mail = _parse(raw, max_part_bytes)
    except Exception as error:  # the last line of defence: a stdlib bug must not stop intake
        return _unparsed(raw, error)
    try:
        mail.report = read_delivery_report(mail)
    except Exception as error:
        mail.defects.append(f"Could not read the delivery report: {error!r}")
    return mail


def _parse(raw: bytes, max_part_bytes: int | None) -> ParsedMail:
    """Do the real work of parse(); may raise only on bugs in the email package."""
    omitted = Omitted(raw, max_part_bytes, MAX_TEXT_CHARS)
    message = _read(omitted.copy)
    reader = HeaderReader(message)
    body = _Body(omitted, reader)
    header_values = header_lists(message, reader)
    headers = {name: "\n".join(values) for name, values in header_values.items()}
    people = {name: addresses(message, name, body.defects, reader) for name in ADDRESS_HEADERS}
    from_name, from_address = (people["from"] or [("", "")])[0]
    if "=?" in headers.get("subject", "") + from_name:
        body.defects.append("Malformed encoded words (=?...?=) were left undecoded.")
    message_id = next(iter(message_ids(headers.get("message-id", ""), loose=True)), None)
    _collect(message, body, depth=0)
    body.defects.extend(omitted.unplaced())
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
        authentication_results=tuple(header_values.get("authentication-results", ())),
        defects=[unsurrogate(defect) for defect in dict.fromkeys(body.defects)][:MAX_DEFECTS],
    )


def _read(raw: bytes) -> Message:
    """Parse as BytesParser(policy=policy.default) does, slice by slice of the bytes."""
    feeder = BytesFeedParser(policy=POLICY)
    for start in range(0, len(raw), _FEED_CHUNK):
        feeder.feed(raw[start : start + _FEED_CHUNK])
    return feeder.close()


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
    ctype = content_type(part)
    if depth > MAX_DEPTH:
        body.defects.append(f"MIME parts nested deeper than {MAX_DEPTH} levels were skipped.")
        return
    if ctype in ("message/rfc822", "message/global"):
        attached = _attached_message(part, len(body.attachments) + 1, body.names)
        _file(body, attached, body.omitted.found(attached.data))
    elif part.is_multipart() and ctype.startswith("multipart/"):
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, body, depth + 1)
    else:
        _leaf(part, ctype, body)
    body.defects.extend(part_defects(part, ctype))


def _leaf(part: Message, ctype: str, body: _Body) -> None:
    """File one non-multipart part as body text, inline image or attachment."""
    data = payload_bytes(part, body.defects)
    hits = body.omitted.found(data, _undecoded(part)) if body.omitted.cuts else []
    name = filename(part, body.names)
    disposition = safe(part.get_content_disposition, None)
    if ctype.startswith("multipart/"):
        ctype = "text/plain"  # a multipart without a usable boundary: its text is all we have
    if ctype in ("text/plain", "text/html") and not name and disposition != "attachment":
        if hits:
            data = body.omitted.text(ctype, data, hits, body.defects)
        text, problem = decode_text(data, param(part, "charset") or None)
        if problem:
            body.defects.append(f"{ctype} part: {problem}")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if ctype == "text/plain" and param(part, "format").lower() == "flowed":
            text = unflow(text, param(part, "delsp").lower() == "yes")
        (body.html if ctype == "text/html" else body.plain).append(text)
        return
    cid = content_id(part)
    inline = bool(cid) and disposition != "attachment" and ctype.startswith("image/")
    name = name or default_name(ctype, len(body.attachments) + 1)
    _file(body, ParsedAttachment(name, ctype, data, inline, cid), hits)


def _undecoded(part: Message) -> str:
    """The body of a leaf part as it stands in the mail (before base64 is undone)."""
    payload = part.get_payload()
    return payload if isinstance(payload, str) else ""


def _file(body: _Body, attachment: ParsedAttachment, hits: list[tuple[Cut, bool]]) -> None:
    """Add an attachment; one holding an omitted part is kept as a name and a size only."""
    if hits:
        attachment = body.omitted.attachment(attachment, hits, body.defects)
    body.attachments.append(attachment)


def _attached_message(part: Message, number: int, names: HeaderReader) -> ParsedAttachment:
    """An attached (forwarded or bounced) message, kept as an .eml file."""
    payload = part.get_payload() if part.is_multipart() else None
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        data = serialize(inner)
        subject = header_map(inner).get("subject", "")
    else:
        data, subject = payload_bytes(part, []), ""
    name = filename(part, names) or safe_filename(subject, 80) or f"attached-message-{number}"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    return ParsedAttachment(name, "message/rfc822", data)


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
