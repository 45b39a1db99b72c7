"""Read-side queries of the knowledge base: what a reader may open, browse and list."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import selectinload

from helpdesk import bounds
from helpdesk.extensions import db
from helpdesk.models import (
    ArticleRevision,
    ArticleVote,
    Category,
    KnowledgeArticle,
    SearchLog,
    utcnow,
)
from helpdesk.models.kb import AGENTS, ARTICLE_STATUSES, PUBLIC, PUBLISHED


def readable(audience: str) -> Select:
    """Articles a reader with this audience may open: published, and public unless agent."""
    return select(KnowledgeArticle).where(*readable_by(audience))


def readable_by(audience: str) -> list[ColumnElement[bool]]:
    """The conditions of `readable`, for queries that select something else."""
    conditions = [KnowledgeArticle.status == PUBLISHED]
    if audience != AGENTS:
        conditions.append(KnowledgeArticle.audience == PUBLIC)
    return conditions


def article_by_slug(slug: str) -> KnowledgeArticle | None:
    """Any article by its slug, whatever its status (for the editor)."""
    return db.session.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == slug))


def article_for(slug: str, audience: str) -> KnowledgeArticle | None:
    """The article if this reader may open it: agents may open any, so they can preview
    drafts and archived ones; everyone else only published articles for their audience."""
    if audience == AGENTS:
        return article_by_slug(slug)
    return db.session.scalar(readable(audience).where(KnowledgeArticle.slug == slug))


def categories(audience: str) -> list[tuple[Category, int]]:
    """Categories with at least one readable article, and how many, by name."""
    counted = readable(audience).subquery()
    rows = db.session.execute(
        select(Category, func.count(counted.c.id))
        .join(counted, counted.c.category_id == Category.id)
        .group_by(Category.id)
        .order_by(Category.name)
    )
    return [(category, count) for category, count in rows]


def in_category(category_id: int, audience: str, page: int, per_page: int) -> Pagination:
    """One page of a category's readable articles, alphabetically."""
    query = (
        readable(audience)
        .where(KnowledgeArticle.category_id == category_id)
        .order_by(KnowledgeArticle.title)
    )
    return bounds.paginate(query, page, per_page)


def popular(audience: str, limit: int = 6) -> list[KnowledgeArticle]:
    """The most read articles, for the knowledge base's front page."""
    query = readable(audience).order_by(KnowledgeArticle.view_count.desc(), KnowledgeArticle.id)
    return list(db.session.scalars(query.limit(limit)))


def recently_updated(audience: str, limit: int = 6) -> list[KnowledgeArticle]:
    """The articles changed most recently."""
    query = readable(audience).order_by(KnowledgeArticle.updated_at.desc())
    return list(db.session.scalars(query.limit(limit)))


def editor_listing(status: str | None, text: str, page: int, per_page: int) -> Pagination:
    """Articles of every audience for the editors, optionally one status, by title words."""
    query = select(KnowledgeArticle).options(selectinload(KnowledgeArticle.author))
    if status in ARTICLE_STATUSES:
        query = query.where(KnowledgeArticle.status == status)
    for word in text.split()[:5]:
        query = query.where(KnowledgeArticle.title.ilike(f"%{word}%"))
    query = query.order_by(KnowledgeArticle.updated_at.desc(), KnowledgeArticle.id.desc())
    return bounds.paginate(query, page, per_page)


def status_counts() -> dict[str, int]:
    """How many articles are in each status, for the editor's tabs."""
    rows = db.session.execute(
        select(KnowledgeArticle.status, func.count()).group_by(KnowledgeArticle.status)
    )
    counts = dict.fromkeys(ARTICLE_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


@dataclass(frozen=True)
class Change:
    """One revision with the line-by-line change of the text since the one before."""

    revision: ArticleRevision
    diff: list[str]


def _diff(before: ArticleRevision | None, after: ArticleRevision) -> list[str]:
    """Unified diff lines (without headers) of title, summary and body."""

    def lines(revision: ArticleRevision | None) -> list[str]:
        if revision is None:
            return []
        return [f"# {revision.title}", revision.summary, "", *revision.body_markdown.splitlines()]

    diff = difflib.unified_diff(lines(before), lines(after), lineterm="", n=1)
    return [line for line in diff if not line.startswith(("---", "+++"))]


def history(article: KnowledgeArticle) -> list[Change]:
    """The article's revisions, newest first, each with what it changed."""
    revisions = list(
        db.session.scalars(
            select(ArticleRevision)
            .where(ArticleRevision.article_id == article.id)
            .options(selectinload(ArticleRevision.editor))
            .order_by(ArticleRevision.number)
        )
    )
    previous: list[ArticleRevision | None] = [None, *revisions[:-1]]
    pairs = zip(previous, revisions, strict=True)
    changes = [Change(revision, _diff(before, revision)) for before, revision in pairs]
    return list(reversed(changes))


def latest_revision_number(article: KnowledgeArticle) -> int:
    """The number the next edit form is based on."""
    number = db.session.scalar(
        select(func.max(ArticleRevision.number)).where(ArticleRevision.article_id == article.id)
    )
    return number or 0


@dataclass(frozen=True)
class QueryCount:
    """A search text, how often it was searched and when last."""

    query: str
    times: int
    last: datetime


def searches(days: int, missing: bool, limit: int = 25) -> list[QueryCount]:
    """The most frequent searches of the last `days` days; only those that found nothing
    when `missing` (the articles the knowledge base lacks)."""
    query = select(
        SearchLog.query, func.count().label("times"), func.max(SearchLog.created_at)
    ).where(SearchLog.created_at >= utcnow() - timedelta(days=days))
    if missing:
        query = query.where(SearchLog.results == 0)
    rows = db.session.execute(
        query.group_by(SearchLog.query).order_by(func.count().desc(), SearchLog.query).limit(limit)
    )
    return [QueryCount(text, times, last) for text, times, last in rows]


def search_totals(days: int) -> tuple[int, int]:
    """How many searches in the last `days` days, and how many of them found nothing."""
    row = db.session.execute(
        select(func.count(), func.sum(case((SearchLog.results == 0, 1), else_=0))).where(
            SearchLog.created_at >= utcnow() - timedelta(days=days)
        )
    ).one()
    return row[0], int(row[1] or 0)


def least_helpful(limit: int = 10) -> list[KnowledgeArticle]:
    """Published articles more people found unhelpful than helpful, worst first."""
    query = (
        select(KnowledgeArticle)
        .where(
            KnowledgeArticle.status == PUBLISHED,
            KnowledgeArticle.helpful_no > KnowledgeArticle.helpful_yes,
        )
        .order_by((KnowledgeArticle.helpful_no - KnowledgeArticle.helpful_yes).desc())
    )
    return list(db.session.scalars(query.limit(limit)))


def vote_of(article_id: int, user_id: int) -> bool | None:
    """What a signed-in person answered to "was this helpful?", or None."""
    return db.session.scalar(
        select(ArticleVote.helpful).where(
            ArticleVote.article_id == article_id, ArticleVote.user_id == user_id
        )
    )
