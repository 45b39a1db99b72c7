"""Highlighting: the search terms marked in titles and in short excerpts of article text.

Whoosh's own highlighter runs the full analyzer over every result's text, which costs
more than the search itself; this one scans with one regular expression and the cached
stemmer, and gives the same matches. Everything but the <mark> tags is escaped, so
neither an article's text nor the query can put markup on the results page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markupsafe import Markup, escape

from helpdesk.kb.analysis import PART, TOKEN_PATTERN, term_of

WORD = re.compile(TOKEN_PATTERN)
SNIPPET_CHARS = 220
LEAD_CHARS = 60
FRAGMENTS = 2
SCAN_CHARS = 20_000  # very long articles: look for matches in the first part only

Span = tuple[int, int]


def matches(text: str, terms: frozenset[str]) -> Iterator[Span]:
    """Where in `text` a word (or, in "Wi-Fi", the whole or a part) is one of `terms`."""
    for found in WORD.finditer(text, 0, SCAN_CHARS):
        word = found.group()
        if word.isalnum():
            if term_of(word) in terms:
                yield found.span()
            continue
        parts = list(PART.finditer(word))
        if term_of("".join(part.group() for part in parts)) in terms:
            yield found.span()
            continue
        base = found.start()
        for part in parts:
            if term_of(part.group()) in terms:
                yield base + part.start(), base + part.end()


def _marked(text: str, spans: list[Span], start: int, end: int) -> str:
    """text[start:end], escaped, with the spans inside it wrapped in <mark>."""
    out, index = [], start
    for span_start, span_end in spans:
        if span_start < index or span_end > end:
            continue
        out.append(
            f"{escape(text[index:span_start])}<mark>{escape(text[span_start:span_end])}</mark>"
        )
        index = span_end
    out.append(str(escape(text[index:end])))
    return "".join(out)


def whole(text: str, terms: frozenset[str]) -> Markup | None:
    """All of `text` with its matches marked, or None if nothing matches (for titles)."""
    spans = list(matches(text, terms))
    return Markup(_marked(text, spans, 0, len(text))) if spans else None


def _window(text: str, span: Span) -> Span:
    """About SNIPPET_CHARS characters around a match, cut at spaces."""
    start = max(0, span[0] - LEAD_CHARS)
    if start > 0:
        space = text.find(" ", start, span[0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", span[1], end)
        end = space if space != -1 else end
    return start, end


def _passages(text: str, found: Iterator[Span]) -> tuple[list[Span], list[Span]]:
    """The passages to show and the matches in them, in order. At most FRAGMENTS passages
    are opened, and one that would overlap (or just touch) the passage before is merged
    into it, so no text is shown twice. Matching stops after the last passage."""
    windows: list[Span] = []
    spans: list[Span] = []
    opened = 0
    for span in found:
        if not windows or span[1] > windows[-1][1]:
            if opened == FRAGMENTS:
                break
            start, end = _window(text, span)
            opened += 1
            if windows and not text[windows[-1][1] : start].strip():
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
            else:
                windows.append((start, end))
        spans.append(span)
    return windows, spans


def excerpt(text: str, terms: frozenset[str]) -> Markup | None:
    """Up to two short passages of `text` around its matches, or None if nothing matches."""
    windows, spans = _passages(text, matches(text, terms))
    if not windows:
        return None
    body = " … ".join(_marked(text, spans, start, end) for start, end in windows)
    lead = "… " if windows[0][0] > 0 else ""
    tail = " …" if windows[-1][1] < len(text) else ""
    return Markup(lead + body + tail)
