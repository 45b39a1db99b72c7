"""Parts too big to decode, cut out of a raw mail before the email package parses it.

The stdlib parser holds a whole part in memory, decoded and undecoded, so a 25 MB
attachment would cost a few hundred MB. A part over the limit is replaced by a
placeholder line instead (see Omitted); parse() lists it with its size, and the raw
mail, which ingest stores whole, still holds it.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass, field, replace

from mail_gateway.parsed_mail import ParsedAttachment

MB = 1024 * 1024
_ONLY_ORIGINAL = "it is kept only in the original message"
_ONLY_START = "only its start was read"
_NOT_READ = "it was not read and is kept only in the original message"
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/=]++\r?\n")
_BASE64_LINES = re.compile(rb"(?:[A-Za-z0-9+/=]++\r?\n)++")


@dataclass(frozen=True)
class Cut:
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

    def __init__(self, raw: bytes, limit: int | None, text_chars: int) -> None:
        """Find and cut the runs that decode to more than `limit` bytes (None: none);
        of a text part that held one, `text_chars` characters are read all the same."""
        self.raw, self.limit = raw, f"{(limit or 0) / MB:.3g}"  # "10", "2.5"
        self.text_bytes = 4 * text_chars  # that many characters even in UTF-8
        big = limit is not None and len(raw) > limit
        self.cuts = [Cut(*run) for run in _long_runs(raw, limit)] if big else []  # type: ignore[arg-type]
        self._placed: set[Cut] = set()
        self.copy = self._cut_out() if self.cuts else raw

    def _cut_out(self) -> bytes:
        """The raw mail with each run replaced by its placeholder (no copy of the runs)."""
        view, position = memoryview(self.raw), 0
        pieces: list[bytes | memoryview] = []
        for cut in self.cuts:
            newline = b"\r\n" if self.raw[cut.end - 2 : cut.end] == b"\r\n" else b"\n"
            pieces += [view[position : cut.start], cut.line + newline]
            position = cut.end
        return b"".join([*pieces, view[position:]])

    def found(self, data: bytes, undecoded: str = "") -> list[tuple[Cut, bool]]:
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

    def _size(self, data: bytes, hits: list[tuple[Cut, bool]]) -> int:
        """The size of a part's data with its placeholders counted as what they stand for."""
        size = len(data)
        for cut, decoded in hits:
            placeholder = cut.marker if decoded else cut.line
            size += max(data.count(placeholder), 1) * (cut.size(decoded) - len(placeholder))
        return size

    def _start(self, cut: Cut, decoded: bool) -> bytes:
        """Enough whole lines of a run for the text budget, decoded from base64 if it was."""
        budget = self.text_bytes
        stop = min(cut.end, cut.start + (budget * 4 // 3 if decoded else budget))
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
