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
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderMissingRequiredValue, InvalidHeaderDefect, NonPrintableDefect
from email.header import decode_header, make_header
from email.headerregistry import AddressHeader, BaseHeader
from email.message import Message
from email.policy import EmailPolicy
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from functools import cached_property
from itertools import islice
from typing import TypeVar

from charset_normalizer import CharsetMatch, from_bytes

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
# windows-1252 as browsers read it (WHATWG): the five bytes Python's cp1252 leaves undefined
# are the C1 controls of the same number, so any bytes decode.
_WINDOWS_1252 = {
    byte: ord(bytes([byte]).decode("cp1252", "ignore") or chr(byte)) for byte in range(128, 160)
}
# What raw 8-bit headers may be in when no charset says: the charsets mail clients write,
# most common first, an order that breaks the detector's ties (Latin-1 text fits cp1250 as
# well as cp1252; a few GB2312 bytes fit cp949 as well).
_DETECTABLE = (
    "cp1252", "cp932", "gb18030", "koi8_r", "cp1251", "big5", "cp949", "euc_jp",
    "iso8859_15", "cp1250", "iso8859_2", "koi8_u", "iso8859_5", "cp1253", "iso8859_7",
    "cp1254", "cp1255", "cp1256", "cp1257", "cp874",
)  # fmt: skip
# Bytes of a mail's 8-bit headers and text handed to the detector, and parts looked at.
_SAMPLE_BYTES = 32_768
_SAMPLE_PARTS = 50
_LONGEST_CHARACTER = 4  # bytes, in UTF-8 and GB18030
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
EMAILISH = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_FOLDING = re.compile(r"\r?\n(?=[ \t])")
_ID_SEPARATORS = re.compile(r"[\s,;]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RAW_BYTE = re.compile("[\udc80-\udcff]")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")  # RFC 6838
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NAME_CHARS = 200  # the Attachment.filename column holds 255
_EXTENSION = re.compile(r"\.[^.\s]{1,16}$")
_DEFAULT_NAMES = {
    "text/calendar": "invite.ics",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "original-headers.txt",
}
# Obsolete syntax and raw 8-bit names are repaired silently; these are worth telling.
_REPORTED_HEADER_DEFECTS = (InvalidHeaderDefect, HeaderMissingRequiredValue, NonPrintableDefect)


# -- headers ------------------------------------------------------------------------------


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
        decoded = decode_words(_FOLDING.sub("", value))
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
    unfolded = _FOLDING.sub("", value)
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
        return _replacing(data, _SUPERSETS.get(codec, codec)), None
    if _broken_utf8(data):
        return data.decode("utf-8", "replace"), "invalid UTF-8 bytes were replaced"
    detected = _detect(data[:_SAMPLE_BYTES]) or "cp1252"
    return _replacing(data, detected), _mislabel(label, _charset_name(detected))


def _mislabel(label: str, decoded_as: str) -> str:
    """Describe 8-bit text whose charset was missing or wrong."""
    said = f"declared {label}" if label else "no charset declared"
    return f"8-bit text with {said}; decoded as {decoded_as}"


def windows_1252(data: bytes) -> str:
    """Bytes as windows-1252, the last resort for 8-bit text: it reads every byte."""
    return data.decode("latin-1").translate(_WINDOWS_1252)


def _replacing(data: bytes, codec: str) -> str:
    """Bytes in a charset, bytes invalid in it replaced (there are none in windows-1252)."""
    return windows_1252(data) if codec == "cp1252" else data.decode(codec, "replace")


def _broken_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 is UTF-8 with some bad bytes (as many whole
    multi-byte characters as bad bytes at least), rather than text in another charset."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    return sum(not char.isascii() for char in text) - bad >= bad


def _charset_name(codec: str) -> str:
    """How people write a codec's charset: cp1252 is "Windows-1252", koi8_r "KOI8-R"."""
    if codec.startswith("cp125"):
        return f"Windows-{codec[2:]}"
    return {"cp932": "Shift_JIS"}.get(codec, codec.upper().replace("_", "-"))


class HeaderReader:
    """Reads the raw 8-bit bytes in one mail's headers as text.

    Headers are ASCII (RFC 2047 and 2231 encode the rest) or UTF-8 (RFC 6532), but many
    clients write subjects, names and file names raw in their own charset and say nothing.
    The stdlib parser keeps such bytes as surrogates and, taking them for UTF-8, would turn
    each into U+FFFD. A header is a few bytes, too few for a charset detector: a dozen
    charsets fit them equally well. So a header is read, of these, in the first that fits:

    1. UTF-8, strictly: legacy text is hardly ever valid UTF-8, while single-byte charsets
       take any bytes and would make mojibake of real UTF-8 (so it goes first, as the
       parser's own reading does);
    2. the charsets declared for the bytes: RFC 2231's, the part's (for its file name),
       then the mail's (its Content-Type, else its first text part's): a client writing
       raw headers writes them in the charset of its text;
    3. charset-normalizer's answer for all the mail's 8-bit header bytes together with its
       text in no known charset: more of the same writing makes the guess worth having;
    4. windows-1252, which reads every byte.

    Each reads whole characters only: a character cut off at the end (a long name cut to
    fit by the sending client) is left out rather than becoming U+FFFD.
    """

    def __init__(self, message: Message) -> None:
        """Read the headers of `message`; its charsets are looked up when first needed."""
        self._message = message

    def text(self, value: str, *declared: str) -> str:
        """A header value with its raw bytes (the parser's surrogates) read as text."""
        if not has_raw_bytes(value):
            return value
        return self.decode(value.encode("utf-8", "surrogateescape"), *declared)

    def decode(self, data: bytes, *declared: str) -> str:
        """Header bytes as text; `declared` are charsets said for them, the surest first."""
        utf8 = _whole_characters(data, "utf-8")
        if utf8 is not None:
            return utf8
        for codec in [*map(_header_codec, declared), self._declared, self._detected]:
            text = _whole_characters(data, codec) if codec else None
            if text is not None:
                return text
        return windows_1252(data)

    @cached_property
    def _declared(self) -> str | None:
        """The codec of the charset the mail declares, if any."""
        return safe(lambda: _declared_codec(self._message), None)

    @cached_property
    def _detected(self) -> str | None:
        """What charset-normalizer makes of the mail's 8-bit headers and undeclared text."""
        return _detect(safe(lambda: _legacy_bytes(self._message), b""))


def _declared_codec(message: Message) -> str | None:
    """The codec of the mail's Content-Type charset, else of its first text part's."""
    for part in islice(message.walk(), _SAMPLE_PARTS):
        if part is message or content_type(part).startswith("text/"):
            codec = _header_codec(param(part, "charset"))
            if codec:
                return codec
    return None


def _header_codec(label: str) -> str | None:
    """The codec to read header bytes declared in `label` with (None: unknown, or UTF-8 or
    ASCII, which HeaderReader tries anyway)."""
    codec = _codec(label.strip().strip("\"'").lower())
    return None if codec in (None, "ascii", "utf-8") else _SUPERSETS.get(codec, codec)


def _whole_characters(data: bytes, codec: str) -> str | None:
    """`data` in `codec`, but for at most one character cut short, which is left out (a
    name cut to fit by the sender: at its end, or before an ASCII closing quote); None
    when the bytes are not that.

    A cut is taken for one only beside whole non-ASCII characters: b"Caf\xe9" is not
    UTF-8 missing its end, it is Latin-1.
    """
    if codec == "cp1252":
        return windows_1252(data)
    try:
        return data.decode(codec)
    except LookupError:
        return None
    except UnicodeDecodeError as error:
        start, end = error.start, error.end
    if end - start >= _LONGEST_CHARACTER or data[end : end + 1] >= b"\x80":
        return None
    try:
        text = data[:start].decode(codec) + data[end:].decode(codec)
    except (UnicodeError, LookupError):
        return None
    return None if text.isascii() else text


def _legacy_bytes(message: Message) -> bytes:
    """The mail's 8-bit header bytes, then its text that is not UTF-8, as one sample."""
    headers, texts = [], []
    for part in islice(message.walk(), _SAMPLE_PARTS):
        headers += [
            str(value).encode("utf-8", "surrogateescape")
            for _, value in part.raw_items()
            if has_raw_bytes(str(value))
        ]
        if content_type(part).startswith("text/") and not part.is_multipart():
            data = payload_bytes(part, [])[:_SAMPLE_BYTES]
            if not data.isascii() and _whole_characters(data, "utf-8") is None:
                texts.append(data)
    return b"\n".join(headers + texts)[:_SAMPLE_BYTES]


def _detect(sample: bytes) -> str | None:
    """charset-normalizer's best charset for 8-bit text, but windows-1252 wherever that
    reads it as cleanly (chaos within 1%): its language models cannot tell one Latin
    script charset from another in a few lines (Latin-1 French comes out as cp1250
    Slovak, English with a "ë" as cp1257). Of answers it calls equally good (coherence
    within 2% too), the first in _DETECTABLE."""
    if not sample:
        return None
    matches: list[CharsetMatch] = safe(
        lambda: list(from_bytes(sample, cp_isolation=list(_DETECTABLE))), []
    )
    if not matches:
        return None
    best = matches[0]
    clean = [match for match in matches if match.chaos - best.chaos < 0.01]
    tied = {
        codec
        for match in clean
        if best.coherence - match.coherence <= 0.02 or "cp1252" in match.could_be_from_charset
        for codec in match.could_be_from_charset
    }
    return next((codec for codec in _DETECTABLE if codec in tied), matches[0].encoding)


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


def filename(part: Message, reader: HeaderReader | None = None) -> str:
    """The part's decoded file name (RFC 2231, the common RFC 2047 misuse, or raw 8-bit
    bytes, read by `reader` in the part's charset, else the mail's), made safe."""
    name = safe(lambda: _name_param(part, reader or HeaderReader(part)), "")
    if "=?" in name:
        name = decode_words(name)
    return safe_filename(unsurrogate(name))


def _name_param(part: Message, reader: HeaderReader) -> str:
    """Content-Disposition's filename, else Content-Type's name, as get_filename() finds
    them, but with raw 8-bit and RFC 2231 bytes read by `reader` rather than as UTF-8."""
    declared = param(part, "charset")
    readable = Message()  # compat32 takes text as it is; policy.default turns bytes to U+FFFD
    for key, value in part.raw_items():
        if key.strip().lower() in ("content-disposition", "content-type"):
            readable[key.strip()] = reader.text(_FOLDING.sub("", str(value)), declared)
    found = readable.get_param("filename", None, "content-disposition") or readable.get_param(
        "name", None, "content-type"
    )
    if not isinstance(found, tuple):
        return str(found or "")
    charset, _, text = found  # RFC 2231: bytes as Latin-1 characters, in `charset`
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return text  # raw 8-bit bytes in an RFC 2231 value, already read as text
    said = _header_codec(charset or "")
    if said is None or said in _GUESSED:  # labels that often lie: UTF-8 is tried first
        return reader.decode(data, charset or "", declared)
    return _whole_characters(data, said) or reader.decode(data, declared)


def safe_filename(name: str, limit: int = _NAME_CHARS) -> str:
    """A file name without directories, control characters or characters Windows forbids,
    and at most `limit` characters: a longer name loses the end of its stem, not its
    extension, and is cut between characters as a reader sees them (an accent stays with
    its letter, an emoji with its modifiers)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("_", name).strip(" .")
    if len(name) <= limit:
        return name
    found = _EXTENSION.search(name)
    extension = found.group() if found and len(found.group()) < limit // 2 else ""
    stem = name[: len(name) - len(extension)]
    return _cut(stem, limit - len(extension)).rstrip(" .") + extension


def _cut(text: str, length: int) -> str:
    """`text` cut to at most `length` characters, where no character continues the one
    before it (a combining mark, an emoji modifier, either side of a zero-width joiner)."""
    while 0 < length < len(text) and _continues(text, length):
        length -= 1
    return text[:length]


def _continues(text: str, index: int) -> bool:
    """Whether text[index] belongs with text[index - 1] as one character to a reader."""
    char = text[index]
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or "\u200d" in (char, text[index - 1])
    )


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
