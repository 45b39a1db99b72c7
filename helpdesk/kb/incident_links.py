"""Articles and incidents: the articles suggested to an agent for an incident, the links an
agent makes between them (an article sent in a reply, an article written from a
resolution), and how many incidents each article has helped with."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from helpdesk.core import validation as check
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.kb import search, service
from helpdesk.kb.search import Result
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Incident, KnowledgeArticle, User, utcnow
from helpdesk.models.kb import AGENTS, ArticleIncidentLink

SUGGESTED = 5
# The incident text an article is suggested for: more than this tells the ranking nothing.
TEXT_MAX = 4000


def suggested_for(incident: Incident, limit: int = SUGGESTED) -> list[Result]:
    """Articles about the same thing as the incident (more-like-this), internal ones too."""
    text = f"{incident.subject} {incident.subject} {incident.description or ''}"[:TEXT_MAX]
    return search.more_like_this(text, AGENTS, limit)


def linked_articles(incident: Incident) -> list[KnowledgeArticle]:
    """The articles linked to the incident, in the order they were linked."""
    return list(
        db.session.scalars(
            select(KnowledgeArticle)
            .join(ArticleIncidentLink, ArticleIncidentLink.article_id == KnowledgeArticle.id)
            .where(ArticleIncidentLink.incident_id == incident.id)
            .order_by(ArticleIncidentLink.id)
        )
    )


def incident_counts(articles: Sequence[KnowledgeArticle]) -> dict[int, int]:
    """How many incidents each article was linked to, by article id (absent means none)."""
    ids = [article.id for article in articles]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ArticleIncidentLink.article_id, func.count())
        .where(ArticleIncidentLink.article_id.in_(ids))
        .group_by(ArticleIncidentLink.article_id)
    )
    return {article_id: count for article_id, count in rows}


def _add_link(article: KnowledgeArticle, incident: Incident, actor: User) -> bool:
    """Stage a link unless it exists; True if a new one was added."""
    exists = db.session.scalar(
        select(ArticleIncidentLink.id).where(
            ArticleIncidentLink.article_id == article.id,
            ArticleIncidentLink.incident_id == incident.id,
        )
    )
    if exists is None:
        db.session.add(
            ArticleIncidentLink(
                article_id=article.id,
                incident_id=incident.id,
                linked_by_id=actor.id,
                created_at=utcnow(),
            )
        )
    return exists is None


@unit_of_work
def link_article(article: KnowledgeArticle, incident: Incident, actor: User) -> bool:
    """Link an article to an incident (an agent sent it); linking twice changes nothing."""
    check.require_agent(actor)
    added = _add_link(article, incident, actor)
    commit()
    return added


def draft_from_resolution(incident: Incident) -> ArticleContent:
    """An article prefilled from a resolved incident: its subject, resolution and workaround."""
    parts = [f"## Problem\n\n{incident.description or incident.subject}"]
    if incident.resolution_notes:
        parts.append(f"## Solution\n\n{incident.resolution_notes}")
    if incident.workaround:
        parts.append(f"## Workaround\n\n{incident.workaround}")
    return ArticleContent(
        title=incident.subject,
        body_markdown="\n\n".join(parts),
        summary=(incident.resolution_notes or "").split("\n")[0][:200],
        category_id=incident.category_id,
    )


@unit_of_work
def create_from_incident(
    author: User, incident: Incident, content: ArticleContent
) -> KnowledgeArticle:
    """Write a draft article from an incident's resolution, linked to the incident."""
    check.require_agent(author)
    article = service.create_article(
        author, content, note=f"Written from incident {incident.reference}."
    )
    _add_link(article, incident, author)
    commit()
    return article
