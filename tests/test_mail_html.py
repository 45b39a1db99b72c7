"""mail_gateway.html: sanitized HTML safe to show agents, and readable text from HTML mail."""

from __future__ import annotations

import random
from html.parser import HTMLParser

import pytest

from mail_gateway.html import html_to_text, sanitize_html


@pytest.mark.parametrize(
    ("html", "forbidden"),
    [
        ("<p>hi</p><script>alert(1)</script>", "alert"),
        ("<style>p{color:red}</style><p>hi</p>", "color:red"),
        ('<iframe src="https://evil.example"></iframe><p>hi</p>', "iframe"),
        ('<object data="x.swf"></object><embed src="x.swf"><p>hi</p>', "swf"),
        ('<form action="https://evil.example"><input name="pw"></form>', "<input"),
        ('<p onclick="steal()">hi</p>', "onclick"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
        ('<a href="data:text/html,<script>x</script>">x</a>', "data:"),
        ('<p style="position:fixed">x</p>', "position"),
        ("<p>x</p><!-- secret comment -->", "secret"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "svg"),
    ],
)
def test_dangerous_markup_is_removed(html: str, forbidden: str) -> None:
    assert forbidden not in sanitize_html(html).lower()


def test_links_get_rel_and_keep_their_target() -> None:
    cleaned = sanitize_html('<a href="https://example.com/a?b=1&c=2">portal</a>')
    assert 'href="https://example.com/a?b=1&amp;c=2"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned


def test_remote_images_are_dropped_unless_allowed() -> None:
    html = '<img src="https://tracker.example/p.gif" alt="logo">'
    assert "tracker.example" not in sanitize_html(html)
    assert 'alt="logo"' in sanitize_html(html)
    assert 'src="https://tracker.example/p.gif"' in sanitize_html(html, allow_remote_images=True)


def test_cid_and_raster_data_images_stay() -> None:
    html = '<img src="cid:logo@example.com"><img src="data:image/png;base64,iVBORw0KGgo=">'
    cleaned = sanitize_html(html)
    assert 'src="cid:logo@example.com"' in cleaned
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in cleaned


def test_ordinary_formatting_survives() -> None:
    html = (
        "<h2>Title</h2><p>A <b>bold</b> <i>move</i></p><ul><li>one</li></ul>"
        "<table><tr><td>x</td></tr></table>"
    )
    cleaned = sanitize_html(html)
    for tag in ("<h2>", "<b>", "<i>", "<ul>", "<li>", "<table>", "<td>"):
        assert tag in cleaned


def test_text_keeps_links_readable() -> None:
    text = html_to_text(
        '<p>See <a href="https://status.example.com/vpn">the status page</a> or '
        '<a href="https://example.com">https://example.com</a>, or mail '
        '<a href="mailto:help@example.com">help@example.com</a>.</p>'
    )
    assert text == (
        "See the status page <https://status.example.com/vpn> or https://example.com, "
        "or mail help@example.com."
    )


def test_text_has_no_markdown_noise() -> None:
    text = html_to_text(
        "<h1>Outage</h1><p>Step 1. restart_the *service* - then wait</p>"
        "<p><b>Important:</b> <i>now</i> C:\\Temp\\app.log</p>"
    )
    assert text.splitlines()[0] == "Outage"
    assert "Step 1. restart_the *service* - then wait" in text
    assert "Important: now C:\\Temp\\app.log" in text
    assert "\\*" not in text and "**" not in text and "#" not in text


def test_text_drops_scripts_styles_and_head() -> None:
    text = html_to_text(
        "<html><head><title>Mail title</title><style>p{color:red}</style></head>"
        "<body><script>var x = 1;</script><p>Hello</p></body></html>"
    )
    assert text == "Hello"


def test_text_separates_table_cells_and_lines() -> None:
    text = html_to_text(
        "<table><tr><th>Name</th><td>Kim Lee</td></tr><tr><th>Room</th><td>2.14</td></tr></table>"
        "<div>first<br>second&nbsp;line</div>"
    )
    assert "Name Kim Lee\nRoom 2.14" in text
    assert "first\nsecond line" in text


def test_text_shows_image_alt_text_only() -> None:
    text = html_to_text('<p>Logo: <img src="https://x.example/l.png" alt="ACME logo"></p>')
    assert text == "Logo: ACME logo"


# Pieces of hostile markup, glued together at random: broken nesting, unclosed quotes and
# tags, entity-encoded schemes, and handlers in odd cases and places.
PIECES = [
    "<p>",
    "</p>",
    '<a href="',
    "javascript:alert(1)",
    "JaVa&#x09;Script:x",
    "&#106;avascript:x",
    '">',
    "'",
    '"',
    "<img src=x onerror=alert(1)>",
    '<IMG SRC="https://t.example/p.gif">',
    "<svg onload=alert(1)>",
    "<script>",
    "alert(2)",
    "</script>",
    "<style>",
    "</style>",
    "<iframe src=//evil.example>",
    "<form action=x><input name=pw>",
    '<div style="x">',
    "<b onmouseover=x>",
    " onclick=steal() ",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<math>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=x>",
    '<a href="data:text/html,<script>x</script>">',
    "<object data=x>",
    "<embed src=x>",
    "text",
    "&lt;",
]
FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "form",
    "input",
    "svg",
    "object",
    "embed",
    "base",
    "meta",
    "math",
    "link",
}


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def test_random_hostile_markup_never_keeps_anything_that_runs_or_calls_home() -> None:
    rng = random.Random(3)
    for _ in range(400):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 25)))
        clean = sanitize_html(html)
        for tag, attributes in Elements(clean).found:
            assert tag not in FORBIDDEN_TAGS, (html, clean)
            assert not any(name.startswith("on") for name in attributes), (html, clean)
            for name in ("href", "src"):
                url = "".join(attributes.get(name, "").split()).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:text")), (html, clean)
            if tag == "img":  # no remote image, no tracking pixel
                assert not attributes.get("src", "").lower().startswith(("http", "//"))
