"""Decoding the words of a mail: charsets, encoded words, addresses, message ids, dates,
and MIME parts (content type, parameters, file names, decoded content).

Helpers of parse.py, each tolerant of the broken input mail brings: they guess, repair or
give up politely, and tell parse.py (via a `defects` list or a returned problem) what they
did. policy.default parses first; where it raises, the compat32 helpers take over.

Plain ASCII values of unstructured headers (Received, DKIM-Signature, X-...) skip the
header parser, which would return them as they are (see header_policy.py for the rest of
what makes header parsing cheap).
"""

from __future__ import annotations

import codecs
import mimetypes
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderMissingRequiredValue, InvalidHeaderDefect, NonPrintableDefect
from email.header import decode_header, make_header
from email.message import Message
from email.policy import EmailPolicy
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from typing import TypeVar

from helpdesk.addresses import is_address
from mail_gateway.header_policy import STRUCTURED

T = TypeVar("T")

# Where a declared charset is a subset of what senders really use, decode with the superset
# (as browsers do): "iso-8859-1" mail routinely carries Windows-1252 quotes and euro signs.
_SUPERSETS = {
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "big5": "big5hkscs",
}
_NO_CHARSET = {"", "unknown", "unknown-8bit", "x-unknown", "default", "none"}
# Labels that often lie: 8-bit text under them is checked for UTF-8 before it is believed.
_SINGLE_BYTE = {"iso8859-1", "iso8859-15", "cp1252"}
_GUESSED = _SINGLE_BYTE | {"ascii", "utf-8"}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_EMAILISH = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_FOLDING = re.compile(r"\r?\n(?=[ \t])")
_ID_SEPARATORS = re.compile(r"[\s,;]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RAW_BYTE = re.compile("[\udc80-\udcff]")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")  # RFC 6838
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_DEFAULT_NAMES = {
    "text/calendar": "invite.ics",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "original-headers.txt",
}
# Obsolete syntax and raw 8-bit names are repaired silently; these are worth telling.
_REPORTED_HEADER_DEFECTS = (InvalidHeaderDefect, HeaderMissingRequiredValue, NonPrintableDefect)


# -- headers ------------------------------------------------------------------------------


def header_lists(message: Message) -> dict[str, list[str]]:
    """Every header, lower-cased name -> its decoded values in the order of the mail."""
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        key = name.strip().lower()
        headers.setdefault(key, []).append(decode_header_value(message, key, value))
    return headers


def header_map(message: Message) -> dict[str, str]:
    """Every header, lower-cased name -> decoded value; repeated headers joined by newlines."""
    return {name: "\n".join(values) for name, values in header_lists(message).items()}


def decode_header_value(message: Message, name: str, value: str) -> str:
    """Decode one raw header value, falling back to compat32 when policy.default fails."""
    value = str(value)  # compat32 messages built in code may hold Header objects
    if _is_plain(message, name, value):
        # Exactly what policy.default makes of it, without running its parser.
        unfolded = value.replace("\r", "").replace("\n", "")
        return printable(unfolded.replace("\t", " ")).strip()
    try:
        decoded = str(message.policy.header_fetch_parse(name, value))
    except Exception:
        decoded = decode_words(_FOLDING.sub("", value))
    if has_raw_bytes(value) and "=?" not in value:
        # Raw 8-bit header: policy.default assumes UTF-8 and would drop Latin-1 letters.
        decoded = unsurrogate(_FOLDING.sub("", value))
    return printable(unsurrogate(decoded).replace("\t", " ")).strip()


def _is_plain(message: Message, name: str, value: str) -> bool:
    """Whether policy.default would return this header value unchanged but unfolded."""
    return (
        value.isascii()
        and "=?" not in value
        and name not in STRUCTURED
        and isinstance(message.policy, EmailPolicy)
    )


def has_raw_bytes(value: str) -> bool:
    """Whether a header kept undecodable 8-bit bytes as surrogates."""
    return not value.isascii() and _RAW_BYTE.search(value) is not None


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


def addresses(message: Message, name: str, defects: list[str]) -> list[tuple[str, str]]:
    """The (display name, lower-cased address) pairs of every `name` header, tolerantly."""
    found: dict[str, str] = {}
    for raw_name, value in message.raw_items():
        if raw_name.strip().lower() != name:
            continue
        value = str(value).replace("\x00", "")
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
        pairs = [(item.display_name, item.addr_spec) for item in header.addresses]
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
    unfolded = _FOLDING.sub("", value)
    pairs = [(decode_words(n), a) for n, a in getaddresses([unfolded]) if _is_address(a)]
    return pairs or [("", address) for address in _EMAILISH.findall(unfolded)]


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


# -- charsets -----------------------------------------------------------------------------


def decode_text(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode bytes in the declared charset, or a good guess; returns (text, problem)."""
    label = (charset or "").strip().strip("\"'").lower()
    codec = _codec(label)
    unknown = (
        f"unknown charset {label!r}" if label and not codec and label not in _NO_CHARSET else None
    )
    if codec is None or codec in _GUESSED:
        text, problem = _guess(data, label, codec)
        return text, "; ".join(filter(None, (unknown, problem))) or None
    codec = _SUPERSETS.get(codec, codec)
    try:
        return data.decode(codec), None
    except (UnicodeError, LookupError):
        pass
    try:
        return data.decode(codec, "replace"), f"bytes invalid in {label} were replaced"
    except (UnicodeError, LookupError):
        text, problem = _guess(data, label, None)
        return text, f"charset {label!r} unusable; {problem or 'decoded as UTF-8'}"


def _codec(label: str) -> str | None:
    """The Python codec for a charset label; None when missing, unknown or a placeholder."""
    if label in _NO_CHARSET:
        return None
    try:
        return codecs.lookup(label[:64]).name
    except (LookupError, ValueError):
        return None


def _guess(data: bytes, label: str, codec: str | None) -> tuple[str, str | None]:
    """Decode text whose label is missing, ASCII, UTF-8 or Latin-1, any of which may lie."""
    if data.isascii():
        return data.decode("ascii"), None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return text, None if codec == "utf-8" else _mislabel(label, "UTF-8")
    if codec in _SINGLE_BYTE:
        return data.decode(_SUPERSETS.get(codec, codec), "replace"), None
    if _UTF8_SEQUENCE.search(data):
        return data.decode("utf-8", "replace"), "invalid UTF-8 bytes were replaced"
    return data.decode("cp1252", "replace"), _mislabel(label, "Windows-1252")


def _mislabel(label: str, decoded_as: str) -> str:
    """Describe 8-bit text whose charset was missing or wrong."""
    said = f"declared {label}" if label else "no charset declared"
    return f"8-bit text with {said}; decoded as {decoded_as}"


# -- MIME parts ---------------------------------------------------------------------------


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


def filename(part: Message) -> str:
    """The part's decoded file name (RFC 2231, or the common RFC 2047 misuse), made safe."""
    name = safe(part.get_filename, None) or ""
    name = name if isinstance(name, str) else ""
    if "=?" in name:
        name = decode_words(name)
    return safe_filename(unsurrogate(name))


def safe_filename(name: str) -> str:
    """A file name without directories, control characters or characters Windows forbids."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("_", name).strip(" .")
    return name[:200]


def default_name(ctype: str, number: int) -> str:
    """A name for an attachment that came without one, with a fitting extension."""
    if ctype in _DEFAULT_NAMES:
        return _DEFAULT_NAMES[ctype]
    return f"attachment-{number}{mimetypes.guess_extension(ctype) or '.bin'}"


def content_id(part: Message) -> str | None:
    """The Content-ID without its <brackets>, as cid: URLs in the HTML name it."""
    value = safe(lambda: str(part.get("content-id", "") or ""), "")
    value = printable(unsurrogate(value)).strip().strip("<>").strip()
    return value or None


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
