"""HTML mail bodies: a sanitized copy safe to show agents, and a readable plain-text version.

Mail HTML is hostile input: it is shown inside the console, so it goes through nh3 (ammonia)
with an allow-list, and remote images are dropped by default because loading them tells the
sender that, when and from where the mail was read (tracking pixels).
"""

from __future__ import annotations

import re

import html2text
import nh3

# Tags whose content is dropped along with the tag: code, styling and document metadata.
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "title", "head", "template", "noscript", "iframe", "object", "embed"}
)
_TAGS = frozenset(nh3.ALLOWED_TAGS | {"font"}) - _DROPPED_WITH_CONTENT - {"area", "map"}
_ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height", "align"},
    "td": {"colspan", "rowspan", "align", "valign", "headers"},
    "th": {"colspan", "rowspan", "align", "valign", "scope", "headers"},
    "font": {"color"},
}
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid", "data"})
_LINK_REL = "noopener noreferrer nofollow"
# Raster images only: an SVG data: URL is a document of its own.
_DATA_IMAGE = re.compile(r"data:image/(png|gif|jpeg|jpg|webp|bmp);", re.IGNORECASE)
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_MARKDOWN_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s]+)\)")
_HEADING_MARKS = re.compile(r"^#{1,6} +", re.MULTILINE)
_CELL_END = re.compile(r"</t[dh]>")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


def sanitize_html(html: str, allow_remote_images: bool = False) -> str:
    """Return mail HTML that is safe to embed: no scripts, handlers, forms or tracking images."""

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        """Drop data: URLs outside images, and remote image sources unless allowed."""
        url = value.strip().lower()
        if url.startswith("data:"):
            return value if tag == "img" and attribute == "src" and _DATA_IMAGE.match(url) else None
        if tag == "img" and attribute == "src" and not url.startswith("cid:"):
            return value if allow_remote_images else None
        return value

    return nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes=_ATTRIBUTES,
        attribute_filter=keep_attribute,
        url_schemes=set(_URL_SCHEMES),
        link_rel=_LINK_REL,
        strip_comments=True,
    )


def html_to_text(html: str) -> str:
    """Return HTML as plain text a person reads comfortably, keeping link targets visible."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.unicode_snob = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    converter.images_to_alt = True
    converter.default_image_alt = ""
    converter.single_line_break = False
    converter.use_automatic_links = False
    converter.mark_code = False
    # Text loads no images, so remote ones may stay: html2text only shows the alt of an
    # image that has a src. With tables ignored it runs cells together; a space keeps
    # "Name Value" apart.
    safe = sanitize_html(html, allow_remote_images=True)
    text = converter.handle(_CELL_END.sub(r" \g<0>", safe))
    return _plain(text)


def _plain(markdown: str) -> str:
    """Undo html2text's Markdown conventions that read as noise in a plain-text mail."""
    text = _MARKDOWN_ESCAPE.sub(r"\1", markdown)
    text = _MARKDOWN_LINK.sub(_link_text, text)
    text = _HEADING_MARKS.sub("", text)
    text = text.replace("\xa0", " ").replace("\u200b", "")
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _link_text(match: re.Match[str]) -> str:
    """Write a link as "text <url>", or just the URL when the text is the URL itself."""
    label, url = match.group(1).strip(), match.group(2)
    bare = url.removeprefix("mailto:")
    if not label or label in (url, bare):
        return bare
    return f"{label} <{bare}>"
