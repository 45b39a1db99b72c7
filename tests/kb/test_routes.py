"""Every knowledge base page, for every role: visitors, users, agents and admins."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.kb import service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import ArticleRevision, KnowledgeArticle, SearchLog, User
from helpdesk.models.kb import AGENTS, ARCHIVED, PUBLISHED
from helpdesk.reads import kb_articles
from tests.conftest import AuthActions
from tests.factories import gen_category


@pytest.fixture
def articles(agent: User, admin: User) -> dict[str, KnowledgeArticle]:
    """One article in each state a reader must or must not see, all about ferrets."""
    category = gen_category("Hardware")

    def make(title: str, audience: str = "public", status: str = PUBLISHED):
        made = service.create_article(
            agent,
            ArticleContent(
                title,
                f"All about ferrets: {title}.",
                "Ferret help.",
                category.id,
                "ferret",
                audience,
            ),
        )
        if status != "draft":
            service.set_status(made, admin, status)
        return made

    return {
        "public": make("Ferret basics"),
        "other": make("Ferret feeding"),
        "internal": make("Ferret escalation", audience=AGENTS),
        "draft": make("Ferret draft", status="draft"),
        "archived": make("Ferret archive", status=ARCHIVED),
    }


def sign_in(auth: AuthActions, who: User) -> None:
    """Sign the test client in."""
    assert auth.login(who.email).status_code == 302


def text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def test_visitors_can_browse_search_and_read_public_articles(
    client: FlaskClient, articles: dict[str, KnowledgeArticle]
) -> None:
    front = client.get("/kb/")
    assert front.status_code == 200 and "Ferret basics" in text(front)
    assert "Hardware" in text(front) and "Ferret escalation" not in text(front)
    found = client.get("/kb/search?q=ferret")
    assert found.status_code == 200
    body = text(found)
    assert 'href="/kb/ferret-basics"' in body and 'href="/kb/ferret-feeding"' in body
    for hidden in ("internal", "draft", "archived"):
        assert articles[hidden].slug not in body
    page = client.get("/kb/ferret-basics")
    assert page.status_code == 200 and "Was this helpful?" in text(page)
    category = client.get(f"/kb/categories/{articles['public'].category_id}")
    assert "Ferret feeding" in text(category) and "Ferret escalation" not in text(category)


@pytest.mark.parametrize("kind", ["internal", "draft", "archived"])
def test_hidden_articles_are_not_found_by_url(
    client: FlaskClient, auth: AuthActions, user: User, articles, kind: str
) -> None:
    slug = articles[kind].slug
    assert client.get(f"/kb/{slug}").status_code == 404
    sign_in(auth, user)
    assert client.get(f"/kb/{slug}").status_code == 404
    assert client.post(f"/kb/{slug}/feedback", data={"helpful": "yes"}).status_code == 404


def test_users_never_see_hidden_articles_in_related_articles(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    page = text(client.get("/kb/ferret-basics"))
    related = page.split("Related articles", 1)[1]
    assert "Ferret feeding" in related
    for hidden in ("Ferret escalation", "Ferret draft", "Ferret archive"):
        assert hidden not in related


def test_agents_see_internal_articles_and_can_preview_drafts(
    client: FlaskClient, auth: AuthActions, agent: User, articles
) -> None:
    sign_in(auth, agent)
    found = text(client.get("/kb/search?q=ferret"))
    assert 'href="/kb/ferret-escalation"' in found
    assert "/kb/ferret-draft" not in found and "/kb/ferret-archive" not in found
    assert client.get("/kb/ferret-escalation").status_code == 200
    draft = client.get("/kb/ferret-draft")
    assert draft.status_code == 200 and "only agents can see it" in text(draft)
    assert "Ferret escalation" in text(client.get("/kb/ferret-basics")).split("Related")[1]


def test_search_page_shows_snippets_suggestions_and_an_empty_state(
    client: FlaskClient, articles
) -> None:
    page = text(client.get("/kb/search?q=feret"))
    assert "Did you mean" in page and "q=ferret" in page
    assert "<mark>" in page
    empty = client.get("/kb/search?q=%3Cscript%3Ezebra")
    assert empty.status_code == 200
    assert "No articles match" in text(empty) and "<script>zebra" not in text(empty)
    assert client.get("/kb/search?q=ferret&page=abc&category=xyz").status_code == 200
    assert "Type a few words" in text(client.get("/kb/search"))


def test_search_pages_and_category_filter(client: FlaskClient, agent: User, articles) -> None:
    other = gen_category("Other")
    for number in range(12):
        made = service.create_article(
            agent, ArticleContent(f"Ferret tip {number}", "Ferret.", category_id=other.id)
        )
        service.publish_article(made, agent)
    first = text(client.get("/kb/search?q=ferret"))
    assert "Next" in first and "Previous" not in first
    second = text(client.get("/kb/search?q=ferret&page=2"))
    assert "Previous" in second
    only = text(client.get(f"/kb/search?q=ferret&category={articles['public'].category_id}"))
    assert "/kb/ferret-basics" in only and "/kb/ferret-tip" not in only


def test_searches_are_logged_once_and_empty_ones_show_in_insights(
    client: FlaskClient, auth: AuthActions, admin: User, articles
) -> None:
    client.get("/kb/search?q=ferret")
    client.get("/kb/search?q=ferret&page=2")
    client.get("/kb/search?q=Quantum+Toaster")
    client.get("/kb/search?q=quantum  toaster")
    logged = db.session.execute(select(SearchLog.query, SearchLog.role, SearchLog.results)).all()
    assert sorted(logged) == [
        ("ferret", "anonymous", 2),
        ("quantum toaster", "anonymous", 0),
        ("quantum toaster", "anonymous", 0),
    ]
    sign_in(auth, admin)
    insights = client.get("/kb/insights")
    assert insights.status_code == 200
    missing = text(insights).split("Searches that found nothing")[1].split("Most frequent")[0]
    assert "quantum toaster" in missing and "ferret" not in missing
    assert client.get("/kb/insights?days=7").status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "user", "agent"])
def test_insights_are_for_admins(
    client: FlaskClient, auth: AuthActions, role: str, user: User, agent: User
) -> None:
    who = {"user": user, "agent": agent}.get(role)
    if who:
        sign_in(auth, who)
    response = client.get("/kb/insights")
    assert response.status_code == (302 if who is None else 403)


@pytest.mark.parametrize(
    "url",
    [
        "/kb/manage",
        "/kb/manage/new",
        "/kb/manage/ferret-basics/edit",
        "/kb/manage/ferret-basics/history",
    ],
)
def test_the_editor_is_for_agents(
    client: FlaskClient, auth: AuthActions, user: User, articles, url: str
) -> None:
    assert client.get(url).status_code == 302
    sign_in(auth, user)
    assert client.get(url).status_code == 403
    assert (
        client.post("/kb/manage/ferret-basics/status", data={"target": "draft"}).status_code == 403
    )


def test_the_editor_lists_every_article_by_status(
    client: FlaskClient, auth: AuthActions, agent: User, articles
) -> None:
    sign_in(auth, agent)
    everything = text(client.get("/kb/manage"))
    assert all(a.title in everything for a in articles.values())
    drafts = text(client.get("/kb/manage?status=draft"))
    assert "Ferret draft" in drafts and "Ferret basics" not in drafts
    found = text(client.get("/kb/manage?q=feed"))
    assert "Ferret feeding" in found and "Ferret basics" not in found


def test_writing_an_article_with_preview_then_publishing(
    client: FlaskClient, auth: AuthActions, agent: User
) -> None:
    sign_in(auth, agent)
    form = {
        "title": "Hamster wheel",
        "body": "Spin **fast**.<script>x()</script>",
        "audience": "public",
    }
    preview = client.post("/kb/manage/new", data={**form, "preview": "1"})
    assert preview.status_code == 200
    assert "<strong>fast</strong>" in text(preview) and "<script>x()" not in text(preview)
    assert db.session.scalar(select(KnowledgeArticle)) is None
    saved = client.post("/kb/manage/new", data={**form, "publish": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        "/kb/manage/hamster-wheel/edit"
    )
    assert kb_articles.article_by_slug("hamster-wheel").status == PUBLISHED
    assert "Hamster wheel" in text(client.get("/kb/search?q=hamster"))


def test_a_refused_new_article_keeps_what_was_typed(
    client: FlaskClient, auth: AuthActions, agent: User
) -> None:
    sign_in(auth, agent)
    response = client.post("/kb/manage/new", data={"title": "", "body": "Kept text", "save": "1"})
    assert response.status_code == 422
    assert "Please give the article a title." in text(response) and "Kept text" in text(response)


def test_editing_records_a_revision_and_shows_it_in_the_history(
    client: FlaskClient, auth: AuthActions, agent: User, articles
) -> None:
    sign_in(auth, agent)
    form = client.get("/kb/manage/ferret-basics/edit")
    assert form.status_code == 200 and 'name="base_revision" type="hidden" value="2"' in text(form)
    data = {
        "title": "Ferret basics",
        "summary": "Ferret help.",
        "body": "All about ferrets: new line.",
        "category": str(articles["public"].category_id),
        "tags": "ferret",
        "audience": "public",
        "note": "Reworded",
        "base_revision": "2",
        "save": "1",
    }
    assert client.post("/kb/manage/ferret-basics/edit", data=data).status_code == 302
    history = text(client.get("/kb/manage/ferret-basics/history"))
    assert "Revision 3: edited" in history and "Reworded" in history
    assert "+All about ferrets: new line." in history
    again = client.post("/kb/manage/ferret-basics/edit", data={**data, "base_revision": "3"})
    assert again.status_code == 422 and "Nothing has changed" in text(again)
    stale = client.post(
        "/kb/manage/ferret-basics/edit", data={**data, "body": "Mine", "base_revision": "2"}
    )
    assert stale.status_code == 422 and "changed by someone else" in text(stale)
    assert 'value="3"' in text(stale)  # saving again now overwrites on purpose


def test_publishing_and_archiving(
    client: FlaskClient, auth: AuthActions, agent: User, admin: User, articles
) -> None:
    sign_in(auth, agent)
    client.post("/kb/manage/ferret-draft/status", data={"target": "published"})
    assert articles["draft"].status == PUBLISHED
    refused = client.post(
        "/kb/manage/ferret-basics/status", data={"target": "archived"}, follow_redirects=True
    )
    assert "Only admins can do that." in text(refused)
    assert articles["public"].status == PUBLISHED
    auth.logout()
    sign_in(auth, admin)
    client.post("/kb/manage/ferret-basics/status", data={"target": "archived"})
    assert articles["public"].status == ARCHIVED
    auth.logout()
    assert client.get("/kb/ferret-basics").status_code == 404


def test_only_admins_delete(
    client: FlaskClient, auth: AuthActions, agent: User, admin: User, articles
) -> None:
    sign_in(auth, agent)
    assert client.post("/kb/manage/ferret-basics/delete").status_code == 403
    auth.logout()
    sign_in(auth, admin)
    response = client.post("/kb/manage/ferret-basics/delete", follow_redirects=True)
    assert "“Ferret basics” was deleted." in text(response)
    assert kb_articles.article_by_slug("ferret-basics") is None
    assert "/kb/ferret-basics" not in text(client.get("/kb/search?q=ferret"))
    assert (
        db.session.scalar(select(ArticleRevision).where(ArticleRevision.title == "Ferret basics"))
        is None
    )


def test_feedback_from_users_and_visitors(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    article = articles["public"]
    response = client.post("/kb/ferret-basics/feedback", data={"helpful": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#feedback")
    client.post("/kb/ferret-basics/feedback", data={"helpful": "no"})  # the same browser
    db.session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    assert "You answered <strong>yes</strong>" in text(client.get("/kb/ferret-basics"))
    sign_in(auth, user)
    client.post("/kb/ferret-basics/feedback", data={"helpful": "no"})
    client.post("/kb/ferret-basics/feedback", data={"helpful": "yes"})
    db.session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (2, 0)
    bad = client.post(
        "/kb/ferret-basics/feedback", data={"helpful": "maybe"}, follow_redirects=True
    )
    assert "Please answer with Yes or No." in text(bad)


def test_views_are_counted_for_readers_not_agents(
    client: FlaskClient, auth: AuthActions, agent: User, articles
) -> None:
    client.get("/kb/ferret-basics")
    client.get("/kb/ferret-basics")
    sign_in(auth, agent)
    client.get("/kb/ferret-basics")
    db.session.refresh(articles["public"])
    assert articles["public"].view_count == 2


def test_article_bodies_are_sanitised(client: FlaskClient, agent: User) -> None:
    article = service.create_article(
        agent,
        ArticleContent(
            "Sneaky",
            "<script>alert(1)</script>[click](javascript:alert(2)) <img src=x onerror=alert(3)>",
        ),
    )
    service.publish_article(article, agent)
    page = text(client.get("/kb/sneaky"))
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page


def test_unknown_pages_are_404(client: FlaskClient) -> None:
    assert client.get("/kb/no-such-article").status_code == 404
    assert client.get("/kb/categories/999").status_code == 404


def test_forms_need_a_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, agent: User, articles
) -> None:
    sign_in(auth, agent)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/kb/ferret-basics/feedback", data={"helpful": "yes"}).status_code == 400
    assert (
        client.post("/kb/manage/ferret-draft/status", data={"target": "published"}).status_code
        == 400
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(client.get("/kb/ferret-basics")))
    response = client.post(
        "/kb/ferret-basics/feedback", data={"helpful": "yes", "csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    db.session.refresh(articles["public"])
    assert articles["public"].helpful_yes == 1
