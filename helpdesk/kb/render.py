"""Article bodies: Markdown rendered by Python-Markdown, then sanitised by nh3.

Markdown passes raw HTML through by design, so its output is never trusted: nh3 keeps
only the tags an article needs, drops scripts, event handlers, styles and javascript:
links, and marks links rel="noopener noreferrer nofollow". The plain-text form feeds
the search index and the snippets, so Markdown syntax never shows up in results.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markupsafe import Markup

EXTENSIONS = ["extra", "sane_lists"]

ALLOWED_TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code"),
    *("em", "strong", "b", "i", "kbd", "sup", "sub", "del", "abbr", "span"),
    *("ul", "ol", "li", "dl", "dt", "dd", "a", "img"),
    *("table", "thead", "tbody", "tr", "th", "td", "caption"),
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Tags whose content is code or styling, removed with their content rather than unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "template"}

_SPACES = re.compile(r"\s+")
# Markdown and HTML syntax to strip, in order, each with what replaces it.
_MARKUP = [
    (re.compile(r"<(script|style|iframe|object|template)\b.*?</\1\s*>", re.I | re.S), " "),
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"<[^>\n]+>"), " "),
    (re.compile(r"^\s*(```|~~~).*$", re.M), " "),
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M), " "),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"!?\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"^\s{0,3}(#{1,6}|>+|[-*+]|\d+[.)])\s+", re.M), " "),
    (re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M), " "),
    (re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)"), ""),
    (re.compile(r"\|"), " "),
]


def _html(source: str) -> str:
    """Markdown to sanitised HTML; a fresh converter per call keeps this thread-safe."""
    converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        converter.convert(source or ""),
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(source: str) -> Markup:
    """Render an article body for display; safe to put in a page as is."""
    return Markup(_html(source))


def plain_text(source: str) -> str:
    """The words of a Markdown body without markup, on one line, for the index and snippets.

    Regular expressions rather than the renderer: rebuilding the index of a large knowledge
    base renders nothing, and the output is only ever shown escaped.
    """
    text = source or ""
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", html.unescape(text)).strip()
