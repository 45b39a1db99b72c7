"""Markdown rendering (sanitised) and the plain text the index and snippets use."""

from __future__ import annotations

from helpdesk.kb.render import plain_text, render_markdown
from helpdesk.kb.snippets import excerpt, whole


def test_markdown_is_rendered_and_sanitised() -> None:
    html = render_markdown(
        "## Steps\n\n1. Click **Connect**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '<script>alert(1)</script><b onclick="x()">bold</b> [bad](javascript:alert(1)) '
        "[good](https://example.com) <iframe src=x></iframe><img src=x onerror=alert(2)>"
    )
    assert "<h2>Steps</h2>" in html and "<strong>Connect</strong>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<script" not in html and "alert(1)" not in html and "onclick" not in html
    assert "javascript:" not in html and "<iframe" not in html and "onerror" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">good</a>' in html


def test_plain_text_drops_the_markup() -> None:
    text = plain_text(
        "# Title\n\n> quote\n\n- item with `code` and _emphasis_ and snake_case\n\n"
        "```\nprint(1)\n```\n[link text](https://x) ![alt text](y.png) "
        "&amp; <b>x</b><style>p{}</style>"
    )
    assert (
        text
        == "Title quote item with code and emphasis and snake_case print(1) link text alt text & x"
    )


def test_snippets_mark_matches_around_them_and_escape() -> None:
    text = "Start. " + "filler " * 60 + "Then <the> VPN works. " + "more " * 80 + "End VPN."
    marked = excerpt(text, frozenset({"vpn"}))
    assert marked.startswith("… ") and marked.count("<mark>VPN</mark>") == 2
    assert "&lt;the&gt;" in marked and " … " in marked
    assert excerpt(text, frozenset({"absent"})) is None
    assert whole("Wi-Fi <on> wifi", frozenset({"wifi"})) == (
        "<mark>Wi-Fi</mark> &lt;on&gt; <mark>wifi</mark>"
    )
