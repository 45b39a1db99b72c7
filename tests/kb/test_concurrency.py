"""Several writers and readers at once: two web workers (threads, and real processes)
writing articles, two editors on one article, and a rebuild while people search."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.incidents import InvalidInput
from helpdesk.kb import index, render, search, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import KnowledgeArticle, User
from helpdesk.models.kb import PUBLIC

PER_WRITER = 8


def write_articles(author_id: int, prefix: str, count: int) -> None:
    """Publish `count` articles, each with a word of its own ("prefix00x")."""
    author = db.session.get(User, author_id)
    for number in range(count):
        word = f"{prefix}{number:02d}x"
        article = service.create_article(author, ArticleContent(f"Note {word}", f"About {word}."))
        service.publish_article(article, author)


def write_in_another_process(instance: str, author_id: int, prefix: str) -> None:
    """A second web worker: its own app and connections on the same database and index."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "SECRET_KEY": "test-secret"})
    with app.app_context():
        write_articles(author_id, prefix, PER_WRITER)


def in_threads(app: Flask, jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Run each job in its own thread and app context; return what they raised."""
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        with app.app_context():
            try:
                job()
            except BaseException as error:  # collected and asserted on by the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def findable(prefixes: list[str]) -> list[str]:
    """The words of the articles that a search cannot find (should be none)."""
    missing = []
    for prefix in prefixes:
        for number in range(PER_WRITER):
            word = f"{prefix}{number:02d}x"
            titles = [r.article.title for r in search.search(word, PUBLIC).results]
            if titles[:1] != [f"Note {word}"]:  # the others are typo neighbours: "ta01x"
                missing.append(word)
    return missing


def test_two_threads_writing_at_once_lose_nothing(app: Flask, agent: User) -> None:
    index.rebuild()
    jobs = [lambda p=prefix: write_articles(agent.id, p, PER_WRITER) for prefix in ("ta", "tb")]
    assert in_threads(app, jobs) == []
    assert findable(["ta", "tb"]) == []


def test_two_processes_writing_at_once_lose_nothing(app: Flask, agent: User) -> None:
    index.rebuild()
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=write_in_another_process, args=(app.instance_path, agent.id, p))
        for p in ("pa", "pb")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert findable(["pa", "pb"]) == []


def test_two_editors_on_one_article_leave_the_index_as_the_database(
    app: Flask, agent: User, admin: User
) -> None:
    article = service.create_article(agent, ArticleContent("Shared page", "Start."))
    service.publish_article(article, agent)

    def edit(editor_id: int, word: str) -> None:
        editor = db.session.get(User, editor_id)
        page = db.session.get(KnowledgeArticle, article.id)
        for number in range(6):
            try:
                service.edit_article(
                    page, editor, ArticleContent("Shared page", f"{word} {number}.")
                )
            except InvalidInput:
                db.session.expire_all()  # the other editor saved at the same moment

    assert in_threads(app, [lambda: edit(agent.id, "alpha"), lambda: edit(admin.id, "beta")]) == []
    db.session.expire_all()
    stored = db.session.get(KnowledgeArticle, article.id)
    document = index.read(lambda searcher: searcher.document(id=str(article.id)))
    assert document["body"] == render.plain_text(stored.body_markdown)


def test_reindex_while_searching_never_fails_or_comes_back_empty(
    app: Flask, demo: int, tmp_path: Path
) -> None:
    outcomes: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            outcomes.append(len(search.search("vpn", PUBLIC).results))

    def rebuild_three_times() -> None:
        try:
            for _ in range(3):
                assert index.rebuild() == demo
        finally:
            stop.set()

    assert in_threads(app, [keep_searching, rebuild_three_times]) == []
    assert outcomes and min(outcomes) > 0
