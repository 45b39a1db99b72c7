"""The knowledge base service layer: validation, revisions, life-cycle, votes, counters."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.incidents import DomainError, InvalidInput, NotAllowed
from helpdesk.kb import service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import ArticleRevision, ArticleVote, KnowledgeArticle, SearchLog, User
from helpdesk.models.kb import AGENTS, ARCHIVED, DRAFT, PUBLISHED
from tests.factories import gen_category


@pytest.fixture
def app(db_app: Flask) -> Flask:
    """Run these tests on SQLite and on PostgreSQL."""
    return db_app


def content(**fields: object) -> ArticleContent:
    """Valid article content with overridable fields."""
    values: dict[str, object] = {
        "title": "Connect to the VPN",
        "body_markdown": "Open **GlobalProtect** and click Connect.",
        "summary": "Reach internal systems from home.",
    }
    values.update(fields)
    return ArticleContent(**values)  # type: ignore[arg-type]


def test_create_makes_a_draft_with_its_first_revision(agent: User) -> None:
    category = gen_category("Network")
    article = service.create_article(
        agent, content(category_id=category.id, tags="VPN, Remote  Access, vpn"), note="First"
    )
    assert (article.slug, article.status, article.category_id) == (
        "connect-to-the-vpn",
        DRAFT,
        category.id,
    )
    assert article.tags == "vpn,remote access"
    assert article.published_at is None
    [revision] = article.revisions
    assert (revision.number, revision.action, revision.editor_id, revision.note) == (
        1,
        "created",
        agent.id,
        "First",
    )


def test_slugs_are_unique_and_never_shadow_kb_pages(agent: User) -> None:
    first = service.create_article(agent, content(title="Wi-Fi: get online!"))
    second = service.create_article(agent, content(title="Wi-Fi: get online!"))
    reserved = service.create_article(agent, content(title="Search"))
    accented = service.create_article(agent, content(title="Drucker für das Büro"))
    assert [first.slug, second.slug] == ["wi-fi-get-online", "wi-fi-get-online-2"]
    assert reserved.slug == "search-2"
    assert accented.slug == "drucker-fur-das-buro"


@pytest.mark.parametrize(
    ("slug", "message"),
    [("Not a slug!", "lower-case"), ("manage", "reserved"), ("taken", "already exists")],
)
def test_explicit_slugs_are_checked(agent: User, slug: str, message: str) -> None:
    service.create_article(agent, content(), slug="taken")
    with pytest.raises(InvalidInput, match=message):
        service.create_article(agent, content(), slug=slug)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title cannot be empty"),
        ({"title": "x" * 201}, "title is too long"),
        ({"body_markdown": ""}, "article text cannot be empty"),
        ({"summary": "s" * 501}, "summary is too long"),
        ({"category_id": 999}, "Unknown category"),
        ({"audience": "everyone"}, "audience"),
        ({"tags": ",".join(f"t{n}" for n in range(21))}, "at most 20 tags"),
        ({"tags": "x" * 41}, "too long"),
    ],
)
def test_invalid_content_is_refused_and_nothing_is_stored(
    agent: User, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        service.create_article(agent, content(**fields))
    assert db.session.scalar(select(func.count()).select_from(KnowledgeArticle)) == 0


def test_users_cannot_write_articles(user: User) -> None:
    with pytest.raises(NotAllowed):
        service.create_article(user, content())


def test_edit_records_a_revision_with_a_snapshot(agent: User, admin: User) -> None:
    article = service.create_article(agent, content())
    service.edit_article(
        article, admin, content(title="Connect to the VPN from home", audience=AGENTS), "Title"
    )
    revision = db.session.scalar(select(ArticleRevision).where(ArticleRevision.number == 2))
    assert (revision.action, revision.editor_id, revision.note) == ("edited", admin.id, "Title")
    assert (revision.title, revision.audience) == ("Connect to the VPN from home", AGENTS)
    assert article.title == "Connect to the VPN from home"


def test_an_edit_that_changes_nothing_is_refused(agent: User) -> None:
    article = service.create_article(agent, content(tags="vpn"))
    with pytest.raises(service.Unchanged):
        service.edit_article(article, agent, content(tags=" VPN "))
    assert len(article.revisions) == 1


def test_an_edit_based_on_an_old_revision_is_refused(agent: User, admin: User) -> None:
    article = service.create_article(agent, content())
    service.edit_article(article, admin, content(body_markdown="Admin's version."), base_revision=1)
    with pytest.raises(InvalidInput, match="changed by someone else"):
        service.edit_article(article, agent, content(body_markdown="Mine."), base_revision=1)
    assert article.body_markdown == "Admin's version."


def test_agents_publish_and_unpublish_drafts(agent: User) -> None:
    article = service.create_article(agent, content())
    service.publish_article(article, agent)
    assert article.status == PUBLISHED
    published_at = article.published_at
    assert published_at is not None
    service.set_status(article, agent, DRAFT)
    service.publish_article(article, agent)
    assert article.published_at == published_at
    assert [r.action for r in article.revisions] == [
        "created",
        "published",
        "unpublished",
        "published",
    ]


def test_archiving_and_restoring_is_for_admins(agent: User, admin: User) -> None:
    article = service.create_article(agent, content())
    service.publish_article(article, agent)
    with pytest.raises(NotAllowed):
        service.set_status(article, agent, ARCHIVED)
    service.set_status(article, admin, ARCHIVED)
    with pytest.raises(NotAllowed):
        service.publish_article(article, agent)
    service.publish_article(article, admin)
    assert article.status == PUBLISHED


def test_moving_to_the_same_status_is_refused(agent: User) -> None:
    article = service.create_article(agent, content())
    with pytest.raises(InvalidInput, match="already draft"):
        service.set_status(article, agent, DRAFT)


def test_only_admins_delete_and_the_history_and_votes_go_too(
    agent: User, admin: User, user: User
) -> None:
    article = service.create_article(agent, content())
    service.publish_article(article, agent)
    service.vote(article, user, helpful=True)
    with pytest.raises(NotAllowed):
        service.delete_article(article, agent)
    service.delete_article(article, admin)
    for model in (KnowledgeArticle, ArticleRevision, ArticleVote):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_signed_in_votes_count_once_and_can_change(agent: User, user: User) -> None:
    article = service.create_article(agent, content())
    service.publish_article(article, agent)
    service.vote(article, user, helpful=True)
    service.vote(article, user, helpful=True)
    db.session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    service.vote(article, user, helpful=False)
    db.session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(ArticleVote)) == 1


def test_anonymous_votes_count_once_per_browser(agent: User) -> None:
    article = service.create_article(agent, content())
    service.publish_article(article, agent)
    service.vote(article, None, helpful=False)
    service.vote(article, None, helpful=True, previous=False)
    db.session.refresh(article)
    assert (article.helpful_yes, article.helpful_no) == (0, 1)


def test_drafts_cannot_be_rated(agent: User, user: User) -> None:
    article = service.create_article(agent, content())
    with pytest.raises(InvalidInput, match="published"):
        service.vote(article, user, helpful=True)


def test_views_and_searches_are_counted(agent: User) -> None:
    article = service.create_article(agent, content())
    service.record_view(article)
    service.record_view(article)
    service.record_search("  VPN   Home ", "anonymous", 0)
    service.record_search("   ", "user", 0)
    db.session.refresh(article)
    assert article.view_count == 2
    logged = db.session.scalars(select(SearchLog)).all()
    assert [(row.query, row.role, row.results) for row in logged] == [("vpn home", "anonymous", 0)]


def test_roles_for_the_search_log(agent: User, admin: User, user: User) -> None:
    assert [service.role_of(who) for who in (None, user, agent, admin)] == [
        "anonymous",
        "user",
        "agent",
        "agent",
    ]


def test_archived_status_is_known(admin: User) -> None:
    article = service.create_article(admin, content())
    service.set_status(article, admin, ARCHIVED)
    assert article.status == ARCHIVED
