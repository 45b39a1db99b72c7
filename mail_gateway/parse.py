"""Raw bytes -> ParsedMail, with the standard library's `email` package (policy.default).

parse() never raises: mail from the internet is broken in every way a parser can imagine,
and one bad message must not stop the gateway. Whatever had to be guessed or repaired is
written to ParsedMail.defects in words an agent can read; where policy.default itself
chokes on a header, the compat32 helpers (email.header, email.utils) decode it instead.

Memory stays flat for huge attachments: a part too big for ingest to keep is neither
decoded nor even handed to the email package (see Omitted); it is listed with its size,
and the raw mail, which ingest stores whole, still holds it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass, field, replace
from email.feedparser import BytesFeedParser
from email.message import Message

from helpdesk.config import DEFAULTS
from mail_gateway.decode import (
    POLICY,
    addresses,
    content_id,
    content_type,
    decode_text,
    default_name,
    filename,
    header_lists,
    header_map,
    message_ids,
    param,
    parse_date,
    part_defects,
    payload_bytes,
    safe,
    safe_filename,
    serialize,
    unflow,
)
from mail_gateway.html import html_to_text, sanitize_html
from mail_gateway.loops import read_delivery_report
from mail_gateway.parsed import ParsedAttachment, ParsedMail

MB = 1024 * 1024
# Text beyond this is cut (with a defect); attachments and the raw mail are kept whole.
MAX_TEXT_CHARS = 1_000_000
# Parts bigger than ingest may store (MAX_UPLOAD_MB; parse() also runs without an app)
# are not decoded: they are listed as omitted, and stay in the stored original mail.
MAX_PART_BYTES = int(DEFAULTS["MAX_UPLOAD_MB"]) * MB
MAX_DEPTH = 30
MAX_DEFECTS = 50
ADDRESS_HEADERS = ("from", "to", "cc", "reply-to")
# What email.parser.Parser reads at a time; feeding bytes spares it a str copy of the mail.
_FEED_CHUNK = 8192
# Bytes of text read from a text part too big to decode: MAX_TEXT_CHARS even in UTF-8.
_TEXT_BYTES = 4 * MAX_TEXT_CHARS
_ONLY_ORIGINAL = "it is kept only in the original message"
_ONLY_START = "only its start was read"
_NOT_READ = "it was not read and is kept only in the original message"
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/=]++\r?\n")
_BASE64_LINES = re.compile(rb"(?:[A-Za-z0-9+/=]++\r?\n)++")


@dataclass
class _Body:
    """What the walk over the MIME tree collects."""

    omitted: Omitted
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
    omitted = Omitted(raw, max_part_bytes)
    message = _read(omitted.copy)
    body = _Body(omitted)
    header_values = header_lists(message)
    headers = {name: "\n".join(values) for name, values in header_values.items()}
    people = {name: addresses(message, name, body.defects) for name in ADDRESS_HEADERS}
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
        defects=list(dict.fromkeys(body.defects))[:MAX_DEFECTS],
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
        attached = _attached_message(part, len(body.attachments) + 1)
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
    name = filename(part)
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


def _file(body: _Body, attachment: ParsedAttachment, hits: list[tuple[_Cut, bool]]) -> None:
    """Add an attachment; one holding an omitted part is kept as a name and a size only."""
    if hits:
        attachment = body.omitted.attachment(attachment, hits, body.defects)
    body.attachments.append(attachment)


def _attached_message(part: Message, number: int) -> ParsedAttachment:
    """An attached (forwarded or bounced) message, kept as an .eml file."""
    payload = part.get_payload() if part.is_multipart() else None
    inner = payload[0] if payload else None
    if isinstance(inner, Message):
        data = serialize(inner)
        subject = header_map(inner).get("subject", "")
    else:
        data, subject = payload_bytes(part, []), ""
    name = filename(part) or safe_filename(subject)[:80] or f"attached-message-{number}"
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


# -- oversized parts ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Cut:
    """A run of base64-alphabet lines of the raw mail, replaced by one placeholder line."""

    start: int
    end: int
    decoded_size: int
    marker: bytes = field(default_factory=lambda: secrets.token_bytes(18))  # no padding

    @property
    def line(self) -> bytes:
        """The placeholder line, as it stands in the parsed copy; it decodes to `marker`."""
        return base64.b64encode(self.marker)

    def size(self, decoded: bool) -> int:
        """Bytes the run stands for: decoded from base64, or verbatim."""
        return self.decoded_size if decoded else self.end - self.start


class Omitted:
    """The raw mail with runs of base64 lines too big to decode cut out, for the email
    package to parse in its place.

    A line made only of base64 characters is never a boundary, a header or the blank line
    that ends headers, so replacing a run of such lines with one placeholder line moves
    no part in the MIME tree, however broken the tree: only the part that held the run
    shrinks. Placeholders are random, so no sender can fake one; where one turns up
    (decoded as base64, or verbatim in an attached message) tells which part was cut.
    """

    def __init__(self, raw: bytes, limit: int | None) -> None:
        """Find and cut the runs that decode to more than `limit` bytes (None: none)."""
        self.raw, self.limit = raw, f"{(limit or 0) / MB:.3g}"  # "10", "2.5"
        big = limit is not None and len(raw) > limit
        self.cuts = [_Cut(*run) for run in _long_runs(raw, limit)] if big else []  # type: ignore[arg-type]
        self._placed: set[_Cut] = set()
        self.copy = self._cut_out() if self.cuts else raw

    def _cut_out(self) -> bytes:
        """The raw mail with each run replaced by its placeholder (no copy of the runs)."""
        view, pieces, position = memoryview(self.raw), [], 0
        for cut in self.cuts:
            newline = b"\r\n" if self.raw[cut.end - 2 : cut.end] == b"\r\n" else b"\n"
            pieces += [view[position : cut.start], cut.line + newline]
            position = cut.end
        return b"".join([*pieces, view[position:]])

    def found(self, data: bytes, undecoded: str = "") -> list[tuple[_Cut, bool]]:
        """The cuts whose placeholder is in a part: (cut, whether the part is base64).

        `undecoded` is the part's body before decoding: in base64 broken by stray
        characters the placeholder no longer decodes to its marker, but is still there.
        """
        hits = []
        for cut in self.cuts:
            if cut.marker in data or cut.line in data or cut.line.decode() in undecoded:
                hits.append((cut, cut.line not in data))
                self._placed.add(cut)
        return hits

    def attachment(
        self, file: ParsedAttachment, hits: list, defects: list[str]
    ) -> ParsedAttachment:
        """An attachment holding a cut, as a name and a size only, with a defect saying so."""
        size = self._size(file.data, hits)
        defects.append(self._defect(f"Attachment {file.filename}", size, _ONLY_ORIGINAL))
        return replace(file, data=b"", omitted_size=size)

    def text(self, ctype: str, data: bytes, hits: list, defects: list[str]) -> bytes:
        """A text part's data with each placeholder replaced by the start of its run."""
        defects.append(self._defect(f"A {ctype} part", self._size(data, hits), _ONLY_START))
        for cut, decoded in hits:
            data = data.replace(cut.marker if decoded else cut.line, self._start(cut, decoded))
        return data

    def unplaced(self) -> list[str]:
        """Defects for cuts found in no part (a preamble, or a part too broken to decode)."""
        what = "Encoded data"
        return [
            self._defect(what, c.decoded_size, _NOT_READ)
            for c in self.cuts
            if c not in self._placed
        ]

    def _size(self, data: bytes, hits: list[tuple[_Cut, bool]]) -> int:
        """The size of a part's data with its placeholders counted as what they stand for."""
        size = len(data)
        for cut, decoded in hits:
            placeholder = cut.marker if decoded else cut.line
            size += max(data.count(placeholder), 1) * (cut.size(decoded) - len(placeholder))
        return size

    def _start(self, cut: _Cut, decoded: bool) -> bytes:
        """Enough whole lines of a run for MAX_TEXT_CHARS, decoded from base64 if it was."""
        stop = min(cut.end, cut.start + (_TEXT_BYTES * 4 // 3 if decoded else _TEXT_BYTES))
        last_break = self.raw.rfind(b"\n", cut.start, stop)  # the placeholder keeps its own
        chunk = self.raw[cut.start : stop if last_break < 0 else last_break].removesuffix(b"\r")
        if not decoded:
            return chunk
        chars = chunk.translate(None, b"\r\n")
        try:
            data = binascii.a2b_base64(chars[: len(chars) // 4 * 4])
        except binascii.Error:
            return b""
        return data[: data.rfind(b"\n") + 1] or data  # whole lines: no character cut in two

    def _defect(self, what: str, size: int, consequence: str) -> str:
        """Say that a part was too big to read."""
        return f"{what} ({size / MB:.1f} MB) is over the {self.limit} MB limit; {consequence}."


def _long_runs(raw: bytes, limit: int) -> list[tuple[int, int, int]]:
    """(start, end, decoded size) of each maximal run of base64 lines decoding to over `limit`.

    Such a run is longer than `limit`, so it covers one of the points `limit // 2` apart:
    only runs at those points are looked at, not every line of the mail.
    """
    runs = []
    step = max(limit // 2, 1)
    point = step
    while point < len(raw):
        start = _run_start(raw, point)
        end = point if start is None else _BASE64_LINES.match(raw, start).end()  # type: ignore[union-attr]
        if start is not None and (size := _base64_size(raw, start, end)) > limit:
            runs.append((start, end, size))
        point = max(point + step, end)
    return runs


def _run_start(raw: bytes, point: int) -> int | None:
    """Where the run of base64 lines holding `point` starts; None if its line is not one."""
    start = raw.rfind(b"\n", 0, point) + 1
    line = _BASE64_LINE.match(raw, start)
    if line is None or line.end() <= point:
        return None
    while start > 0:
        previous = raw.rfind(b"\n", 0, start - 1) + 1
        if not _BASE64_LINE.fullmatch(raw, previous, start):
            break
        start = previous
    return start


def _base64_size(raw: bytes, start: int, end: int) -> int:
    """What the base64 lines raw[start:end] decode to, in bytes."""
    breaks = raw.count(b"\n", start, end) + raw.count(b"\r", start, end)
    return (end - start - breaks) * 3 // 4 - raw.count(b"=", start, end)
