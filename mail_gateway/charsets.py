"""Charsets: decoding mail text and raw 8-bit headers as the sender meant them.

Declared charsets are read through the supersets senders really use; undeclared or lying
ones are checked for UTF-8 first, then detected (charset-normalizer) over the mail's own
8-bit text, and windows-1252 (as browsers read it) is the last resort that accepts every
byte. `HeaderReader` decodes one mail's raw 8-bit header values this way.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message
from functools import cached_property
from itertools import islice

from charset_normalizer import CharsetMatch, from_bytes

from mail_gateway.mime_parts import content_type, param, payload_bytes, safe

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
GUESSED = _SINGLE_BYTE | {"ascii", "utf-8"}
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
_RAW_BYTE = re.compile("[\udc80-\udcff]")


def has_raw_bytes(value: str) -> bool:
    """Whether a header kept undecodable 8-bit bytes as surrogates."""
    return not value.isascii() and _RAW_BYTE.search(value) is not None


def decode_text(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode bytes in the declared charset, or a good guess; returns (text, problem)."""
    label = (charset or "").strip().strip("\"'").lower()
    codec = _codec(label)
    unknown = (
        f"unknown charset {label!r}" if label and not codec and label not in _NO_CHARSET else None
    )
    if codec is None or codec in GUESSED:
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
        utf8 = whole_characters(data, "utf-8")
        if utf8 is not None:
            return utf8
        for codec in [*map(header_codec, declared), self._declared, self._detected]:
            text = whole_characters(data, codec) if codec else None
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
            codec = header_codec(param(part, "charset"))
            if codec:
                return codec
    return None


def header_codec(label: str) -> str | None:
    """The codec to read header bytes declared in `label` with (None: unknown, or UTF-8 or
    ASCII, which HeaderReader tries anyway)."""
    codec = _codec(label.strip().strip("\"'").lower())
    return None if codec in (None, "ascii", "utf-8") else _SUPERSETS.get(codec, codec)


def whole_characters(data: bytes, codec: str) -> str | None:
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
            if not data.isascii() and whole_characters(data, "utf-8") is None:
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
