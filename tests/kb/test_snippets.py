"""Search snippets: passages around the matches never overlap or repeat, stay escaped, and
read in the article's order."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from helpdesk.kb import search
from helpdesk.kb.render import plain_text
from helpdesk.kb.snippets import FRAGMENTS, SNIPPET_CHARS, excerpt
from helpdesk.models.kb import PUBLIC

ELLIPSIS = " … "


def passages(snippet: Markup) -> list[str]:
    """The plain-text passages of a snippet, without marks, escapes and ellipses."""
    text = html.unescape(re.sub(r"</?mark>", "", str(snippet)))
    return text.removeprefix("… ").removesuffix(" …").split(ELLIPSIS)


def assert_shown_once_in_order(snippet: Markup, text: str) -> None:
    """Each passage is a piece of `text` that starts after the previous one ended."""
    position = 0
    for passage in passages(snippet):
        found = text.find(passage, position)
        assert found >= position, f"{passage!r} overlaps the passage before it"
        position = found + len(passage)


def test_two_matches_a_little_more_than_a_passage_apart_show_the_text_between_once() -> None:
    text = "The VPN client starts with Windows. " + "word " * 38 + "If the VPN drops, sign in."
    snippet = excerpt(text, frozenset({"vpn"}))
    assert snippet is not None
    assert snippet.count("<mark>VPN</mark>") == 2
    assert ELLIPSIS not in snippet
    assert snippet.count("word") == 38
    assert_shown_once_in_order(snippet, text)
    assert sum(len(passage) for passage in passages(snippet)) <= FRAGMENTS * SNIPPET_CHARS


def test_distant_matches_stay_two_separate_passages() -> None:
    text = "VPN first. " + "filler " * 100 + "VPN second. " + "more " * 100 + "VPN third."
    snippet = excerpt(text, frozenset({"vpn"}))
    assert snippet is not None
    assert snippet.count(ELLIPSIS) == 1 and snippet.count("<mark>VPN</mark>") == 2
    assert_shown_once_in_order(snippet, text)
    assert sum(len(passage) for passage in passages(snippet)) <= FRAGMENTS * SNIPPET_CHARS


def test_a_demo_article_shows_its_text_once(demo: int) -> None:
    [result] = [
        found
        for found in search.search("password expires", PUBLIC).results
        if found.article.slug == "change-password-before-it-expires"
    ]
    assert result.snippet.count("<mark>") >= 2
    assert_shown_once_in_order(result.snippet, plain_text(result.article.body_markdown))


MATCHING = st.sampled_from(["vpn", "VPN", "Wi-Fi", "wifi"])
OTHER_WORDS = ["<b>", "a&b", "x", "long-filler-word", ""]
OTHER = st.sampled_from(OTHER_WORDS)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(MATCHING, OTHER), min_size=40, max_size=150),
    st.sampled_from(["vpn", "wifi"]),
)
def test_no_text_is_ever_shown_twice(words: list[str], term: str) -> None:
    # Numbered fillers make every passage findable at exactly one place in the text.
    text = " ".join(
        f"{word}{number}" if word in OTHER_WORDS else word for number, word in enumerate(words)
    )
    snippet = excerpt(text, frozenset({term}))
    if snippet is None:
        return
    assert "<b>" not in snippet and "a&b" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 1
    assert_shown_once_in_order(snippet, text)
    assert sum(len(passage) for passage in passages(snippet)) <= FRAGMENTS * SNIPPET_CHARS
