"""The Whoosh index: it follows every commit, queues what it cannot write yet, rebuilds
atomically, and heals itself when it is missing or damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.kb import index, search, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import IndexQueueEntry, KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, ARCHIVED, PUBLIC
from tests.conftest import reconfigure


@pytest.fixture
def app(db_app: Flask) -> Flask:
    """Run these tests on SQLite and on PostgreSQL."""
    return db_app


def publish(author: User, title: str, body: str = "Some text.", **fields: object):
    """Create and publish an article."""
    article = service.create_article(author, ArticleContent(title, body, **fields))  # type: ignore[arg-type]
    return service.publish_article(article, author)


def found(query: str, audience: str = PUBLIC) -> list[str]:
    """The slugs a search returns."""
    return [result.article.slug for result in search.search(query, audience).results]


def indexed_ids() -> set[str]:
    """The article ids the live index holds."""
    return index.read(lambda searcher: {fields["id"] for fields in searcher.all_stored_fields()})


def backlog() -> int:
    """How many changes wait for the index."""
    return db.session.scalar(select(func.count()).select_from(IndexQueueEntry))


def root(app: Flask) -> Path:
    """The index folder."""
    return Path(app.config["SEARCH_INDEX_DIR"])


def test_documents_hold_plain_text_and_the_filter_fields(agent: User) -> None:
    article = service.create_article(
        agent, ArticleContent("Title", "## Steps\n\n1. Click **Connect**\n\n<b>x</b>", tags="a, b")
    )
    document = index.document(article)
    assert document["body"] == "Steps Click Connect x"
    assert (document["status"], document["audience"], document["category"]) == (
        "draft",
        "public",
        "",
    )
    assert document["words"] == "Title a b "


def test_the_index_follows_create_publish_edit_archive_and_delete(agent: User, admin: User) -> None:
    article = service.create_article(agent, ArticleContent("Quokka setup", "Install it."))
    assert found("quokka", AGENTS) == []  # drafts are indexed but never found
    service.publish_article(article, agent)
    assert found("quokka") == ["quokka-setup"]
    service.edit_article(article, agent, ArticleContent("Wombat setup", "Install it."))
    assert found("quokka") == []
    assert found("wombat") == ["quokka-setup"]
    service.set_status(article, admin, ARCHIVED)
    assert found("wombat", AGENTS) == []
    article_id = str(article.id)
    service.delete_article(article, admin)
    assert article_id not in indexed_ids()
    assert backlog() == 0


def test_each_commit_is_applied_right_away(agent: User) -> None:
    publish(agent, "Platypus guide")
    assert backlog() == 0
    assert len(indexed_ids()) == 1


def test_a_refused_change_leaves_nothing_queued(agent: User) -> None:
    with pytest.raises(service.InvalidInput):
        service.create_article(agent, ArticleContent("", "body"))
    assert backlog() == 0


def test_a_busy_index_queues_the_change_and_the_next_search_applies_it(
    app: Flask, agent: User
) -> None:
    reconfigure(app, KB_INDEX_LOCK_SECONDS=0.05)
    index.rebuild()
    with index.write_lock(root(app), wait=0) as acquired:
        assert acquired
        article = publish(agent, "Echidna troubleshooting")  # no error though locked
        assert backlog() > 0
        assert str(article.id) not in index.read(
            lambda searcher: {f["id"] for f in searcher.all_stored_fields()}
        )
    assert found("echidna") == ["echidna-troubleshooting"]
    assert backlog() == 0


def test_rebuild_swaps_in_a_new_generation_and_keeps_the_previous_one(
    app: Flask, agent: User
) -> None:
    publish(agent, "Kiwi printing")
    generations = []
    for _ in range(3):
        assert index.rebuild() == 1
        generations.append(index.current_generation(root(app)))
    assert len(set(generations)) == 3
    on_disk = sorted(path.name for path in root(app).glob("gen-*"))
    assert on_disk == sorted(generations[-2:])
    assert found("kiwi") == ["kiwi-printing"]


def test_a_missing_index_is_rebuilt_on_first_use(app: Flask, agent: User) -> None:
    publish(agent, "Narwhal access")
    shutil.rmtree(root(app))
    assert found("narwhal") == ["narwhal-access"]
    assert index.current_generation(root(app)) is not None


def test_a_corrupt_index_is_rebuilt_on_first_use(app: Flask, agent: User) -> None:
    publish(agent, "Axolotl mailbox")
    damaged = index.current_generation(root(app))
    for path in (root(app) / damaged).iterdir():
        if path.suffix in (".seg", ".toc"):
            path.write_bytes(b"\x00garbage" * 10)
    index._live_for(root(app)).close()  # a new worker process: nothing cached
    assert found("axolotl") == ["axolotl-mailbox"]
    assert index.current_generation(root(app)) != damaged


def test_a_garbled_pointer_is_rebuilt(app: Flask, agent: User) -> None:
    publish(agent, "Pangolin phone")
    (root(app) / index.POINTER).write_text("../../etc")
    assert found("pangolin") == ["pangolin-phone"]


def test_a_bug_in_the_caller_does_not_trigger_a_rebuild(app: Flask, agent: User) -> None:
    publish(agent, "Tapir laptop")
    before = index.current_generation(root(app))
    with pytest.raises(AttributeError):
        index.read(lambda searcher: searcher.no_such_method())
    assert index.current_generation(root(app)) == before


def test_deferred_updates_are_applied_once_at_the_end(app: Flask, agent: User) -> None:
    index.rebuild()
    with index.deferred():
        for number in range(3):
            publish(agent, f"Bulk article {number}")
        assert backlog() > 0
    assert backlog() == 0
    assert len(indexed_ids()) == 3


def test_sync_without_an_index_builds_one(app: Flask, agent: User) -> None:
    with index.deferred():
        publish(agent, "Lemur wifi")
    shutil.rmtree(root(app), ignore_errors=True)
    db.session.add(IndexQueueEntry(article_id=1))
    db.session.commit()
    assert index.sync() == 1
    assert index.current_generation(root(app)) is not None


def test_internal_articles_are_indexed_with_their_audience(agent: User) -> None:
    publish(agent, "Gecko gateway", audience=AGENTS)
    assert found("gecko") == []
    assert found("gecko", AGENTS) == ["gecko-gateway"]
    assert db.session.scalar(select(KnowledgeArticle.audience)) == AGENTS
