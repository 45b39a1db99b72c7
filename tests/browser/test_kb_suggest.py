"""Help articles in a real browser: a user describing a problem is offered an article,
opens it in place, says it solved the problem, and no incident is filed; an agent inserts
an article link into a reply with one click."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from helpdesk.extensions import db
from helpdesk.kb import service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Incident
from helpdesk.models.kb import SOLVED, ArticleIncidentLink, SuggestionOutcome
from tests.browser.test_golden_path import sign_in
from tests.factories import gen_category, gen_incident, gen_user

pytestmark = pytest.mark.browser


def test_a_suggested_article_solves_the_problem(live_server, new_page):
    base = live_server.url
    with live_server.app.app_context():
        agent = gen_user("agent")
        gen_category("Printing")
        article = service.create_article(
            agent,
            ArticleContent(
                "Clear a paper jam in the office printer",
                "Open tray 2, pull the stuck sheet out gently, close the tray.",
                "Fix a printer that reports a paper jam.",
                None,
                "printer",
            ),
        )
        service.publish_article(article, agent)
        article_id, user_email = article.id, gen_user().email

    page = new_page()
    sign_in(page, base, user_email)
    page.goto(f"{base}/my/incidents/new")
    page.get_by_label("Subject").press_sequentially("printer paper jam", delay=20)
    suggestion = page.locator(".suggestion-open", has_text="Clear a paper jam")
    expect(suggestion).to_be_visible()
    expect(page.locator("#shown-articles")).to_have_value(str(article_id))
    assert page.url.endswith("/my/incidents/new")  # no reload

    suggestion.click()
    expect(page.get_by_text("pull the stuck sheet out gently")).to_be_visible()
    page.get_by_role("button", name="This solved my problem").click()
    expect(page.locator(".flash-success")).to_contain_text("No incident was reported")

    with live_server.app.app_context():
        [outcome] = db.session.scalars(db.select(SuggestionOutcome)).all()
        assert (outcome.outcome, outcome.article_id) == (SOLVED, article_id)
        assert db.session.scalars(db.select(Incident)).all() == []


def test_an_agent_inserts_an_article_link_into_the_reply(live_server, new_page):
    base = live_server.url
    with live_server.app.app_context():
        agent = gen_user("agent")
        article = service.create_article(
            agent,
            ArticleContent(
                "Reconnect the VPN after a timeout",
                "Update the VPN client, then reconnect.",
                "When the VPN client times out.",
                None,
                "vpn",
            ),
        )
        service.publish_article(article, agent)
        incident = gen_incident(
            gen_user(), subject="VPN timeout", description="The VPN client times out."
        )
        reference, article_id, agent_email = incident.reference, article.id, agent.email

    page = new_page()
    sign_in(page, base, agent_email)
    page.goto(f"{base}/agent/incidents/{reference}")
    reply = page.locator("#reply-body")
    reply.fill("Hello, please try this:")
    page.get_by_role("button", name="Insert a link to Reconnect the VPN after a timeout").click()
    expect(reply).to_have_value(re.compile(r"try this:\nReconnect the VPN .*/kb/reconnect-the-vpn"))
    with live_server.app.app_context():
        for _ in range(50):
            links = db.session.scalars(db.select(ArticleIncidentLink)).all()
            if links:
                break
            time.sleep(0.1)
        assert [link.article_id for link in links] == [article_id]
