"""About forty realistic demo articles (helpdesk/kb/articles/*.md), loaded by `helpdesk demo`.

The files use the import format of helpdesk.kb.files, so they double as an example of it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.kb import files, index, service
from helpdesk.models import Category, User
from helpdesk.reads import kb_articles

ARTICLES_DIR = Path(__file__).parent / "articles"


def _ensure_categories(paths: list[Path]) -> None:
    """Create the categories the articles name that the database lacks (demo data only)."""
    wanted = set()
    for path in paths:
        meta, _ = files.split_front_matter(path.read_text(encoding="utf-8"))
        if meta.get("category"):
            wanted.add(str(meta["category"]))
    known = set(db.session.scalars(select(Category.name)))
    db.session.add_all(Category(name=name) for name in sorted(wanted - known))
    db.session.commit()


def seed(author: User) -> int:
    """Load the demo articles that are not there yet, written by `author` (an agent) and
    published or archived by the system; returns how many were created."""
    paths = files.markdown_files([ARTICLES_DIR])
    _ensure_categories(paths)
    created = 0
    with index.deferred():
        for path in paths:
            item = files.read_article(path)
            if kb_articles.article_by_slug(item.slug) is not None:
                continue
            article = service.create_article(author, item.content, slug=item.slug)
            if item.status != article.status:
                service.set_status(article, None, item.status)
            created += 1
    return created
