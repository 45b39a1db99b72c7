"""Attachment file names: decoded (RFC 2231, the common RFC 2047 misuse, or raw 8-bit), made
safe to store and show, cut at character boundaries, and invented when a part has none."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from email.message import Message

from mail_gateway.charsets import GUESSED, HeaderReader, header_codec, whole_characters
from mail_gateway.decode import FOLDING, decode_words, unsurrogate
from mail_gateway.mime_parts import param, safe

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NAME_CHARS = 200  # the Attachment.filename column holds 255
_EXTENSION = re.compile(r"\.[^.\s]{1,16}$")
_DEFAULT_NAMES = {
    "text/calendar": "invite.ics",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "original-headers.txt",
}


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
            readable[key.strip()] = reader.text(FOLDING.sub("", str(value)), declared)
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
    said = header_codec(charset or "")
    if said is None or said in GUESSED:  # labels that often lie: UTF-8 is tried first
        return reader.decode(data, charset or "", declared)
    return whole_characters(data, said) or reader.decode(data, declared)


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
