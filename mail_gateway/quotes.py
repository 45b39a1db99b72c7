"""Keep only what is new in a reply: cut quoted history, attribution lines and signatures.

Meant for replies threaded into an existing incident, whose history the incident already
shows; the original mail stays downloadable. A forwarded message that opens an incident
should be kept whole, since there the "quote" is the report. When in doubt this module
keeps text: it never returns less than something, and inline replies stay intact.
"""

from __future__ import annotations

import re

# "On Tue, 14 May 2024 at 10:03, Jane <jane@example.com> wrote:" and its translations;
# clients wrap it over up to three lines.
_ATTRIBUTION = re.compile(
    r"^(On\s.+\swrote|Am\s.+\sschrieb.*|Le\s.+\sa\s+écrit|El\s.+\sescribió|Op\s.+\sschreef.*"
    r"|Il\s.+\sha\s+scritto|Den\s.+\sskrev.*|W\sdniu\s.+\spisze)\s*:\s*$",
    re.IGNORECASE,
)
# "Jane Doe <jane@example.com> wrote:" is also how people introduce a quotation of their
# own, so it only counts when a `>` quote follows.
_LOOSE_ATTRIBUTION = re.compile(
    r"^\S.{0,200}\s(wrote|schrieb|a\s+écrit|escribió)\s*:\s*$", re.IGNORECASE
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine"
    r"|Mensaje original|Oorspronkelijk bericht|Messaggio originale|Originalmeddelande)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(From|Von|De|Van|Da|Från|Fra|Od)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Date d'envoi|Enviado|Enviado el|Verzonden"
    r"|Inviato|Skickat|Sendt|Wysłano)\s*:",
    re.IGNORECASE,
)
_HEADER_SUBJECT = re.compile(
    r"^\s*\*?(Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto|Ämne|Emne|Temat)\s*:",
    re.IGNORECASE,
)
# A header block right after one of these is forwarded content, which is kept.
_FORWARDED = re.compile(
    r"^\s*(-+\s*Forwarded message\s*-+|Begin forwarded message:|-+\s*Weitergeleitete Nachricht"
    r"\s*-+|-+\s*Message transféré\s*-+|-+\s*Mensaje reenviado\s*-+)\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*_{16,}\s*$")
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE_FOOTER = re.compile(
    r"^\s*(Sent from my \w+.*|Sent from (Mail|Outlook|Yahoo Mail|Samsung|Gmail).*"
    r"|Get Outlook for (iOS|Android).*|Von meinem \w+.* gesendet|Gesendet von meinem \w+.*"
    r"|Envoyé de mon \w+.*|Enviado desde mi \w+.*|Verzonden vanaf mijn \w+.*)\s*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_MAX_ATTRIBUTION = 300
_MAX_FOOTER = 60  # "Sent from my laptop, the report fails with ..." is a sentence, not a footer
_HEADER_BLOCK_LINES = 8


def strip_quoted(text: str) -> str:
    """The new part of a reply; the whole text when everything in it looks quoted."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _first_cut(lines)
    kept = _drop_quote_blocks(lines[:cut])
    new = "\n".join(kept).strip("\n")
    return new.rstrip() if new.strip() else text


def _first_cut(lines: list[str]) -> int:
    """Index of the first line where quoted history or a signature starts (len if none)."""
    for index, line in enumerate(lines):
        if _QUOTED.match(line):
            continue
        if _is_history_start(lines, index) or _is_signature(lines, index):
            return index
    return len(lines)


def _is_history_start(lines: list[str], index: int) -> bool:
    """Whether a line opens quoted history (an attribution only if no inline reply follows)."""
    if _is_attribution(lines, index):
        return not _is_inline_reply(lines, index)
    return _is_marker(lines, index)


def _is_marker(lines: list[str], index: int) -> bool:
    """Outlook's "Original Message" line, its header block, or a rule followed by From:."""
    if _ORIGINAL_MESSAGE.match(lines[index]) or _is_header_block(lines, index):
        return True
    following = lines[index + 1 : index + 3]
    return bool(_SEPARATOR.match(lines[index])) and any(map(_HEADER_FROM.match, following))


def _is_attribution(lines: list[str], index: int) -> bool:
    """A "... wrote:" line, also when a client wrapped it over two or three lines."""
    if _LOOSE_ATTRIBUTION.match(lines[index].strip()):
        following = [line for line in lines[index + 1 :] if line.strip()]
        if following and _QUOTED.match(following[0]):
            return True
    for length in (1, 2, 3):
        joined = " ".join(part.strip() for part in lines[index : index + length])
        if len(joined) > _MAX_ATTRIBUTION or not lines[index].strip():
            return False
        if _ATTRIBUTION.match(joined):
            return True
    return False


def _is_header_block(lines: list[str], index: int) -> bool:
    """Outlook's "From: / Sent: / To: / Subject:" block (in any of the usual languages)."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    if any(_FORWARDED.match(line) for line in lines[max(0, index - 2) : index]):
        return False
    following = lines[index + 1 : index + 1 + _HEADER_BLOCK_LINES]
    return any(map(_HEADER_SENT.match, following)) and any(map(_HEADER_SUBJECT.match, following))


def _is_signature(lines: list[str], index: int) -> bool:
    """A "-- " signature separator, or a mobile client's "Sent from my ..." footer."""
    line = lines[index]
    footer = len(line.strip()) <= _MAX_FOOTER and _MOBILE_FOOTER.match(line)
    return bool(_SIGNATURE.match(line) or footer)


def _is_inline_reply(lines: list[str], index: int) -> bool:
    """Whether new text is interleaved with the quote that follows an attribution line."""
    seen_quote = False
    for position in range(index + 1, len(lines)):
        line = lines[position]
        if _QUOTED.match(line):
            seen_quote = True
        elif line.strip():
            if _is_signature(lines, position) or _is_marker(lines, position):
                return False
            if _is_attribution(lines, position):
                return False
            if seen_quote:
                return True
    return False


def _drop_quote_blocks(lines: list[str]) -> list[str]:
    """Remove a leading or trailing block of `>` lines; interleaved quotes are kept."""
    blocks = _blocks(lines)
    if len(blocks) > 2 and not blocks[0][0] and _only_attribution(lines, blocks[0]):
        lines, blocks = lines[blocks[1][1] :], _blocks(lines[blocks[1][1] :])
    kinds = [quoted for quoted, _, _ in blocks]
    if kinds == [False, True]:
        return _trim_attribution(lines[: blocks[1][1]])
    if kinds == [True, False]:
        return lines[blocks[1][1] :]
    return lines


def _only_attribution(lines: list[str], block: tuple[bool, int, int]) -> bool:
    """Whether an unquoted block is nothing but an attribution line (maybe wrapped)."""
    _, start, end = block
    return end - start <= 3 and _is_attribution(lines, start)


def _blocks(lines: list[str]) -> list[tuple[bool, int, int]]:
    """Runs of quoted / unquoted lines as (quoted, start, end); blank lines join any run."""
    blocks: list[tuple[bool, int, int]] = []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        quoted = bool(_QUOTED.match(line))
        if blocks and blocks[-1][0] == quoted:
            blocks[-1] = (quoted, blocks[-1][1], index + 1)
        else:
            blocks.append((quoted, index, index + 1))
    return blocks


def _trim_attribution(lines: list[str]) -> list[str]:
    """Drop a last "... wrote:" line left in front of a trailing quote."""
    content = [index for index, line in enumerate(lines) if line.strip()]
    for first in content[-3:]:
        if _is_attribution([*lines, "> "], first):
            return lines[:first]
    return lines
