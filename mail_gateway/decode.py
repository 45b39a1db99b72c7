"""Decoding the headers of a mail: encoded words, raw 8-bit values, addresses, message ids,
dates (charsets are charsets.py, MIME parts mime_parts.py, file names filenames.py).

Helpers of parse.py, each tolerant of the broken input mail brings: they guess, repair or
give up politely, and tell parse.py (via a `defects` list or a returned problem) what they
did. policy.default parses first; where it raises, the compat32 helpers take over.

Plain ASCII values of unstructured headers (Received, DKIM-Signature, X-...) skip the
header parser, which would return them as they are (see header_policy.py for the rest of
what makes header parsing cheap).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.errors import HeaderMissingRequiredValue, InvalidHeaderDefect, NonPrintableDefect
from email.header import decode_header, make_header
from email.headerregistry import AddressHeader, BaseHeader
from email.message import Message
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime

from helpdesk.addresses import is_address
from mail_gateway.charsets import HeaderReader, decode_text, has_raw_bytes
from mail_gateway.header_policy import STRUCTURED
from mail_gateway.mime_parts import safe

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
EMAILISH = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
FOLDING = re.compile(r"\r?\n(?=[ \t])")
_ID_SEPARATORS = re.compile(r"[\s,;]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Obsolete syntax and raw 8-bit names are repaired silently; these are worth telling.
_REPORTED_HEADER_DEFECTS = (InvalidHeaderDefect, HeaderMissingRequiredValue, NonPrintableDefect)


def header_lists(message: Message, reader: HeaderReader | None = None) -> dict[str, list[str]]:
    """Every header, lower-cased name -> its decoded values in the order of the mail."""
    reader = reader or HeaderReader(message)
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        key = name.strip().lower()
        headers.setdefault(key, []).append(decode_header_value(message, key, value, reader))
    return headers


def header_map(message: Message) -> dict[str, str]:
    """Every header, lower-cased name -> decoded value; repeated headers joined by newlines."""
    return {name: "\n".join(values) for name, values in header_lists(message).items()}


def decode_header_value(
    message: Message, name: str, value: str, reader: HeaderReader | None = None
) -> str:
    """Decode one raw header value, falling back to compat32 when policy.default fails.

    Raw 8-bit bytes are read as text first (see HeaderReader): policy.default would take
    them for UTF-8 and turn every other byte into U+FFFD.
    """
    value = str(value)  # compat32 messages built in code may hold Header objects
    if has_raw_bytes(value):
        value = (reader or HeaderReader(message)).text(value)
    if _is_plain(message, name, value):
        # Exactly what policy.default makes of it, without running its parser.
        unfolded = value.replace("\r", "").replace("\n", "")
        return printable(unfolded.replace("\t", " ")).strip()
    try:
        decoded = str(message.policy.header_fetch_parse(name, value))
    except Exception:
        decoded = decode_words(FOLDING.sub("", value))
    return printable(unsurrogate(decoded).replace("\t", " ")).strip()


def _is_plain(message: Message, name: str, value: str) -> bool:
    """Whether policy.default would return this header value unchanged but unfolded."""
    return (
        value.isascii()
        and "=?" not in value
        and name not in STRUCTURED
        and isinstance(message.policy, EmailPolicy)
    )


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words with compat32 helpers; leave them as-is when broken."""
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def printable(value: str) -> str:
    """Text without control characters (tabs and line feeds stay): what a database takes
    (PostgreSQL refuses NUL) and a page shows."""
    return _CONTROL.sub("", value)


def unsurrogate(value: str) -> str:
    """Turn raw 8-bit bytes the parser kept as surrogates back into proper text."""
    if not has_raw_bytes(value):
        return value
    text, _ = decode_text(value.encode("utf-8", "surrogateescape"), None)
    return text


def addresses(
    message: Message, name: str, defects: list[str], reader: HeaderReader | None = None
) -> list[tuple[str, str]]:
    """The (display name, lower-cased address) pairs of every `name` header, tolerantly.

    Raw 8-bit bytes are read as text before the header is parsed: in Shift_JIS or GB2312
    a name's second bytes can be a backslash or a bracket, which would break its syntax.
    """
    reader = reader or HeaderReader(message)
    found: dict[str, str] = {}
    for raw_name, value in message.raw_items():
        if raw_name.strip().lower() != name:
            continue
        value = reader.text(str(value).replace("\x00", ""))
        for display, address in _header_addresses(message, name, value, defects):
            address = unsurrogate(address).strip().strip("<>'\"").lower()
            if is_address(address) and address not in found:
                display = " ".join(_CONTROL.sub(" ", unsurrogate(display)).strip("'\" ").split())
                found[address] = "" if display.lower() == address else display
    return [(display, address) for address, display in found.items()]


def _header_addresses(
    message: Message, name: str, value: str, defects: list[str]
) -> list[tuple[str, str]]:
    """Addresses of one header via policy.default, else compat32 getaddresses, else a regex."""
    try:
        header = message.policy.header_fetch_parse(name, value)
        pairs = []
        if isinstance(header, AddressHeader):
            pairs = [(item.display_name, item.addr_spec) for item in header.addresses]
        if isinstance(header, BaseHeader):
            defects.extend(
                f"{name.title()} header: {defect}"
                for defect in header.defects
                if isinstance(defect, _REPORTED_HEADER_DEFECTS)
            )
    except Exception:
        defects.append(f"{name.title()} header could not be parsed: {value[:200]!r}")
        pairs = []
    if pairs and all(_is_address(address) for _, address in pairs):
        return pairs
    unfolded = FOLDING.sub("", value)
    pairs = [(decode_words(n), a) for n, a in getaddresses([unfolded]) if _is_address(a)]
    return pairs or [("", address) for address in EMAILISH.findall(unfolded)]


def _is_address(value: str) -> bool:
    """Whether a parsed addr-spec is an address (raw 8-bit bytes read as text first)."""
    return is_address(unsurrogate(value))


def message_ids(value: str, loose: bool = False) -> list[str]:
    """Message ids in <brackets>, tolerating missing brackets, commas and surrounding junk."""
    found = _MESSAGE_ID.findall(value)
    if not found:
        tokens = [token.strip("<>") for token in _ID_SEPARATORS.split(value)]
        found = [token for token in tokens if "@" in token] or (tokens[:1] if loose else [])
    return [f"<{item[:990]}>" for item in dict.fromkeys(found) if item]


def parse_date(value: str, defects: list[str]) -> datetime | None:
    """The Date header as an aware datetime (UTC when the zone is unknown), or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"Unreadable Date header: {value[:100]!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def unflow(text: str, delsp: bool) -> str:
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


def content_id(part: Message) -> str | None:
    """The Content-ID without its <brackets>, as cid: URLs in the HTML name it."""
    value = safe(lambda: str(part.get("content-id", "") or ""), "")
    value = printable(unsurrogate(value)).strip().strip("<>").strip()
    return value or None
