"""The knowledge base through the API: end users read and search published articles only,
agents write, publish and unpublish them, admins archive."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.kb import service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import KnowledgeArticle, User
from tests.api.conftest import Caller, token_for
from tests.factories import gen_category, gen_user

PROBLEM = "application/problem+json"
VPN_BODY = "Open the **VPN** client and choose *Connect*.\n\n<script>alert(1)</script>"


def published(author: User, title: str, body: str = "Some text.", **fields: object):
    """An article written and published through the service layer."""
    content = ArticleContent(title, body, **fields)  # type: ignore[arg-type]
    return service.publish_article(service.create_article(author, content), author)


def test_an_agent_writes_a_draft_that_end_users_cannot_see(
    api: FlaskClient, agent: Caller, requester: Caller
):
    printing = gen_category("Printing")
    created = api.post(
        "/api/v1/kb/articles",
        json={
            "title": "Connect to the VPN",
            "body": VPN_BODY,
            "summary": "From home.",
            "category_id": printing.id,
            "tags": ["Remote Access", "vpn"],
        },
        headers=agent.headers,
    )
    assert created.status_code == 201
    article = created.json
    assert article["status"] == "draft" and article["slug"] == "connect-to-the-vpn"
    assert article["tags"] == ["remote access", "vpn"]
    assert article["category"] == {"id": printing.id, "name": "Printing"}
    assert created.headers["Location"] == f"/api/v1/kb/articles/{article['id']}"
    assert "<strong>VPN</strong>" in article["body_html"] and "<script>" not in article["body_html"]
    assert article["body_markdown"] == VPN_BODY
    assert article["editorial"]["revision"] == 1
    for reference in (article["slug"], article["id"]):
        hidden = api.get(f"/api/v1/kb/articles/{reference}", headers=requester.headers)
        assert hidden.status_code == 404 and hidden.mimetype == PROBLEM
        assert api.get(f"/api/v1/kb/articles/{reference}", headers=agent.headers).status_code == 200
    listed = api.get("/api/v1/kb/articles", headers=requester.headers).json["items"]
    assert listed == []
    drafts = api.get("/api/v1/kb/articles?status=draft", headers=requester.headers).json
    assert drafts["items"] == []
    as_agent = api.get("/api/v1/kb/articles?status=draft", headers=agent.headers).json["items"]
    assert [item["slug"] for item in as_agent] == ["connect-to-the-vpn"]


def test_once_published_an_end_user_reads_it_without_the_editorial_facts(
    api: FlaskClient, agent: Caller, requester: Caller
):
    slug = api.post(
        "/api/v1/kb/articles",
        json={"title": "Reset a password", "body": "Use the **portal**."},
        headers=agent.headers,
    ).json["slug"]
    done = api.post(f"/api/v1/kb/articles/{slug}/publish", headers=agent.headers)
    assert done.status_code == 200 and done.json["status"] == "published"
    assert done.json["published_at"].endswith("Z")
    seen = api.get(f"/api/v1/kb/articles/{slug}", headers=requester.headers).json
    assert seen["title"] == "Reset a password" and seen["editorial"] is None
    assert seen["body_html"] == "<p>Use the <strong>portal</strong>.</p>"
    back = api.post(f"/api/v1/kb/articles/{slug}/unpublish", json={}, headers=agent.headers)
    assert back.json["status"] == "draft"
    assert api.get(f"/api/v1/kb/articles/{slug}", headers=requester.headers).status_code == 404


def test_agents_only_articles_stay_hidden_from_end_users(
    api: FlaskClient, agent: Caller, requester: Caller
):
    published(agent.user, "Gateway health", "Check the VPN gateway.", audience="agents")
    assert (
        api.get("/api/v1/kb/articles/gateway-health", headers=requester.headers).status_code == 404
    )
    found = api.get("/api/v1/kb/articles?q=gateway", headers=requester.headers).json
    assert found["items"] == []
    as_agent = api.get("/api/v1/kb/articles?q=gateway", headers=agent.headers).json["items"]
    assert [item["slug"] for item in as_agent] == ["gateway-health"]


def test_search_marks_the_matched_words(api: FlaskClient, agent: Caller, requester: Caller):
    published(agent.user, "Printer offline", "When the printer shows offline, restart the spooler.")
    published(agent.user, "Guest Wi-Fi", "Visitors join the guest network.")
    service.create_article(agent.user, ArticleContent("Printer draft", "A printer draft."))
    found = api.get("/api/v1/kb/articles?q=printer", headers=requester.headers).json
    assert [item["slug"] for item in found["items"]] == ["printer-offline"]
    highlights = found["items"][0]["highlights"]
    assert highlights["title"] == "<mark>Printer</mark> offline"
    assert "the <mark>printer</mark> shows offline" in highlights["snippet"]
    assert found["next"] is None


def test_search_and_list_pages_link_to_the_next(api: FlaskClient, agent: Caller):
    for number in range(3):
        published(agent.user, f"Mailbox tip {number}", "Your mailbox is full.")
    first = api.get("/api/v1/kb/articles?q=mailbox&per_page=2", headers=agent.headers).json
    assert len(first["items"]) == 2
    second = api.get(first["next"], headers=agent.headers).json
    assert len(second["items"]) == 1 and second["next"] is None
    listed = api.get("/api/v1/kb/articles?per_page=2", headers=agent.headers).json
    rest = api.get(listed["next"], headers=agent.headers).json
    assert len({item["id"] for item in listed["items"] + rest["items"]}) == 3


def test_an_agent_edits_an_article_as_a_new_revision(api: FlaskClient, agent: Caller):
    article = published(agent.user, "Scan to email", "Press scan.", tags="scanner")
    url = f"/api/v1/kb/articles/{article.id}"
    changed = api.patch(
        url,
        json={"body": "Press **Scan**.", "note": "Bold", "base_revision": 2},
        headers=agent.headers,
    )
    assert changed.status_code == 200
    assert changed.json["body_markdown"] == "Press **Scan**."
    assert changed.json["title"] == "Scan to email" and changed.json["tags"] == ["scanner"]
    assert changed.json["editorial"]["revision"] == 3
    stale = api.patch(url, json={"title": "Scan", "base_revision": 2}, headers=agent.headers)
    assert stale.status_code == 422 and "changed by someone else" in stale.json["detail"]
    same = api.patch(url, json={"title": "Scan to email"}, headers=agent.headers)
    assert same.status_code == 422 and "Nothing has changed" in same.json["detail"]


def test_bad_input_is_refused_with_the_reason(api: FlaskClient, agent: Caller):
    blank = api.post("/api/v1/kb/articles", json={"title": " ", "body": "x"}, headers=agent.headers)
    assert blank.status_code == 422 and blank.json["detail"] == "The title cannot be empty."
    unknown = api.post(
        "/api/v1/kb/articles",
        json={"title": "T", "body": "x", "category_id": 999},
        headers=agent.headers,
    )
    assert unknown.status_code == 422 and unknown.json["detail"] == "Unknown category."
    no_body = api.post("/api/v1/kb/articles", json={"title": "T"}, headers=agent.headers)
    assert no_body.status_code == 422 and no_body.json["code"] == "invalid_request"
    assert no_body.json["errors"][0]["location"][-1] == "body"
    wrong = api.post(
        "/api/v1/kb/articles",
        json={"title": "T", "body": "x", "audience": "everyone"},
        headers=agent.headers,
    )
    assert wrong.status_code == 422


def test_end_users_may_not_write_and_agents_may_not_archive(
    api: FlaskClient, agent: Caller, requester: Caller
):
    article = published(agent.user, "Lost phone", "Call us.")
    url = f"/api/v1/kb/articles/{article.slug}"
    for refused in (
        api.post(
            "/api/v1/kb/articles", json={"title": "T", "body": "x"}, headers=requester.headers
        ),
        api.patch(url, json={"title": "Mine"}, headers=requester.headers),
        api.post(f"{url}/unpublish", headers=requester.headers),
        api.post(f"{url}/archive", headers=agent.headers),
    ):
        assert refused.status_code == 403 and refused.mimetype == PROBLEM
    admin = token_for(gen_user("admin"))
    archived = api.post(f"{url}/archive", json={"note": "Old"}, headers=admin)
    assert archived.status_code == 200 and archived.json["status"] == "archived"
    again = api.post(f"{url}/archive", headers=admin)
    assert again.status_code == 422 and again.json["detail"] == "The article is already archived."
    assert db.session.scalar(select(func.count(KnowledgeArticle.id))) == 1


def test_a_missing_article_is_not_found(api: FlaskClient, agent: Caller):
    for response in (
        api.get("/api/v1/kb/articles/no-such-article", headers=agent.headers),
        api.patch("/api/v1/kb/articles/99999", json={"title": "T"}, headers=agent.headers),
        api.post("/api/v1/kb/articles/99999999999/publish", headers=agent.headers),
    ):
        assert response.status_code == 404 and response.json["code"] == "not_found"


def test_a_retried_create_with_its_key_makes_one_article(api: FlaskClient, agent: Caller):
    headers = {**agent.headers, "Idempotency-Key": "article-1"}
    request = {"title": "Map a network drive", "body": "Open Explorer."}
    first = api.post("/api/v1/kb/articles", json=request, headers=headers)
    again = api.post("/api/v1/kb/articles", json=request, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(KnowledgeArticle.id))) == 1
    other = api.post("/api/v1/kb/articles", json={"title": "T", "body": "x"}, headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
