"""The demo articles: about forty, valid, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.kb import demo_articles, files
from helpdesk.models import Category, KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, ARCHIVED, DRAFT, PUBLISHED


def test_seed_loads_the_articles_once(agent: User) -> None:
    created = demo_articles.seed(agent)
    assert 40 <= created <= 60
    assert demo_articles.seed(agent) == 0
    statuses = dict(
        db.session.execute(
            select(KnowledgeArticle.status, func.count()).group_by(KnowledgeArticle.status)
        ).all()
    )
    assert statuses[DRAFT] == 1 and statuses[ARCHIVED] == 1 and statuses[PUBLISHED] >= 40
    internal = db.session.scalar(select(func.count()).where(KnowledgeArticle.audience == AGENTS))
    assert internal >= 3
    assert db.session.scalar(select(func.count()).select_from(Category)) >= 8


def test_every_demo_file_reads_cleanly() -> None:
    for path in files.markdown_files([demo_articles.ARTICLES_DIR]):
        meta, body = files.split_front_matter(path.read_text(encoding="utf-8"))
        assert meta["title"] and meta["summary"] and body.strip(), path.name
