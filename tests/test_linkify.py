"""Links in message text: web addresses and incident references become links, safely."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from helpdesk import incidents
from helpdesk.web.filters import linkify_text
from tests.factories import gen_incident, gen_user

KNOWN = {"INC-000007": "/agent/incidents/INC-000007"}


def render(text: str) -> str:
    """Linkify with one known incident, INC-000007."""
    return str(linkify_text(text, "INC", KNOWN.get))


def hrefs(html: str) -> list[str]:
    """The href of every link in the HTML."""
    return re.findall(r'<a [^>]*href="([^"]*)"', html)


def test_a_plain_address_becomes_a_link_that_leaks_nothing():
    html = render("See https://intranet.example/kb/vpn for the steps")
    assert html == (
        'See <a href="https://intranet.example/kb/vpn" rel="noopener noreferrer nofollow">'
        "https://intranet.example/kb/vpn</a> for the steps"
    )


def test_the_kb_insert_link_text_is_linked():
    html = render("Reset your password: http://helpdesk.test/kb/reset-forgotten-password\n")
    assert hrefs(html) == ["http://helpdesk.test/kb/reset-forgotten-password"]
    assert html.startswith("Reset your password: <a ")


@pytest.mark.parametrize(
    ("text", "address", "after"),
    [
        ("Try https://a.example/x.", "https://a.example/x", "."),
        ("(see https://a.example/x)", "https://a.example/x", ")"),
        ("https://en.example/wiki/Foo_(bar), then", "https://en.example/wiki/Foo_(bar)", ","),
        ("Is it https://a.example/?q=1?!", "https://a.example/?q=1", "?!"),
        ("[the guide](https://a.example/guide)", "https://a.example/guide", ")"),
    ],
)
def test_sentence_punctuation_stays_outside_the_link(text, address, after):
    html = render(text)
    assert hrefs(html) == [address]
    assert f"{address}</a>{after}" in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        'https://a.example/"onmouseover="alert(1)',
        "https://a.example/'onmouseover='alert(1)",
        "https://a.example/<script>alert(1)</script>",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)//https://a.example",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        'INC-000007"><img src=x onerror=alert(1)>',
        "https://a.example/`onmouseover=alert(1)`",
        "http:// https://",
    ],
)
def test_hostile_text_never_becomes_markup(text):
    html = render(text)
    assert "<script" not in html and "<img" not in html
    assert not re.search(r"<a [^>]*\son\w+=", html)  # no handler attribute on a link
    for href in hrefs(html):
        assert href.startswith(("https://", "http://", "/agent/"))
        assert '"' not in href and "'" not in href and "<" not in href
    # Everything but the inserted links is the escaped text itself.
    assert re.sub(r"<a [^>]*>|</a>", "", html) == str(escape(text))


def test_references_link_only_when_known():
    html = render("Same as INC-000007 and inc-7; not INC-000008 or XINC-000007 or INC-0000071a")
    assert hrefs(html) == ["/agent/incidents/INC-000007", "/agent/incidents/INC-000007"]
    assert ">inc-7</a>" in html
    assert "INC-000008" in html and "XINC-000007" in html


@pytest.fixture
def people(app: Flask) -> dict[str, object]:
    """An agent, a requester with two incidents, and someone else's incident."""
    agent = gen_user("agent", name="Sam Agent")
    uma = gen_user(name="Uma User")
    other = gen_user(name="Otto Other")
    mine = gen_incident(uma, subject="Printer jam")
    earlier = gen_incident(uma, subject="Toner empty")
    theirs = gen_incident(other, subject="Otto's laptop")
    text = (
        f"Same cause as {earlier.reference} and {theirs.reference}, "
        "see https://status.example/printers. <b>thanks</b>"
    )
    incidents.add_reply(mine, agent, text, channel="agent")
    return {"agent": agent, "uma": uma, "mine": mine, "earlier": earlier, "theirs": theirs}


def test_the_console_links_every_referenced_incident(client: FlaskClient, auth, people):
    auth.login(people["agent"].email)
    page = client.get(f"/agent/incidents/{people['mine'].reference}").get_data(as_text=True)
    assert f'href="/agent/incidents/{people["earlier"].reference}"' in page
    assert f'href="/agent/incidents/{people["theirs"].reference}"' in page
    assert '<a href="https://status.example/printers" rel="noopener noreferrer nofollow">' in page
    assert "&lt;b&gt;thanks&lt;/b&gt;" in page


def test_the_portal_links_only_the_viewers_own_incidents(client: FlaskClient, auth, people):
    auth.login(people["uma"].email)
    page = client.get(f"/my/incidents/{people['mine'].reference}").get_data(as_text=True)
    assert f'href="/my/incidents/{people["earlier"].reference}"' in page
    assert people["theirs"].reference in page
    assert f'/incidents/{people["theirs"].reference}"' not in page
    assert '<a href="https://status.example/printers" rel="noopener noreferrer nofollow">' in page
