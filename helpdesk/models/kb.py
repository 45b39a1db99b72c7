"""The knowledge base: articles, their revision history, votes, searches and index backlog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import Category
from helpdesk.models.user import User

# Who may read an article.
PUBLIC = "public"
AGENTS = "agents"
AUDIENCES = (PUBLIC, AGENTS)

# Where an article is in its life.
DRAFT = "draft"
PUBLISHED = "published"
ARCHIVED = "archived"
ARTICLE_STATUSES = (DRAFT, PUBLISHED, ARCHIVED)

# The session flag that tells the index hooks an article changed in this transaction.
INDEX_DIRTY = "kb_index_dirty"


class KnowledgeArticle(Model):
    """A how-to or fix, written in Markdown, that users and agents find by search."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    # The incident catalogue's categories, so an article can be offered for the
    # category a user picks when reporting an incident.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    # Normalised lower-case tags, comma-separated ("vpn,remote access").
    tags: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped[str] = mapped_column(String(10), default=PUBLIC)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category | None] = relationship()
    author: Mapped[User] = relationship()
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article",
        order_by="ArticleRevision.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (Index("ix_kb_articles_listing", "status", "audience", "updated_at"),)

    @property
    def tag_list(self) -> list[str]:
        """The tags as a list, in the order they were written."""
        return [tag for tag in self.tags.split(",") if tag]

    @property
    def votes(self) -> int:
        """How many people answered "was this helpful?"."""
        return self.helpful_yes + self.helpful_no

    def __repr__(self) -> str:
        return f"<KnowledgeArticle {self.slug} {self.status}>"


class ArticleRevision(Model):
    """A snapshot of an article after one change, with who made it and why."""

    __tablename__ = "kb_article_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # created, edited, published, archived
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(500), default="")
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    audience: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(255), default="")

    article: Mapped[KnowledgeArticle] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()
    category: Mapped[Category | None] = relationship()

    __table_args__ = (UniqueConstraint("article_id", "number"),)


class ArticleVote(Model):
    """One answer to "was this helpful?"; signed-in people have one each and may change it."""

    __tablename__ = "kb_article_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    # None for anonymous visitors (their browser session remembers their vote).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("article_id", "user_id"),)


class SearchLog(Model):
    """One knowledge base search; the ones that found nothing show what articles are missing."""

    __tablename__ = "kb_search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # anonymous, user or agent
    # Results on the first page (up to a page's worth); 0 means the search found nothing.
    results: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_kb_search_log_created", "created_at", "results"),)


class IndexQueueEntry(Model):
    """An article whose search document must be refreshed: written in the same transaction
    as the change, removed once the index has it, so a change is never lost to a busy index
    lock or a crash between the database commit and the index write."""

    __tablename__ = "kb_index_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: a deleted article's entry must outlive it to remove its document.
    article_id: Mapped[int]
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


# What happened after articles were suggested to someone about to report an incident.
SOLVED = "solved"  # an article solved it: a deflection, no incident needed
FILED = "filed"  # they reported the incident anyway
OUTCOMES = (SOLVED, FILED)
# Where the suggestions were shown.
PORTAL = "portal"
EMAIL = "email"
CHANNELS = (PORTAL, EMAIL)


class SuggestionOutcome(Model):
    """One answer to suggested articles: solved by one of them, or reported anyway."""

    __tablename__ = "kb_suggestion_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10), default=PORTAL)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The article that solved it (SOLVED only).
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="SET NULL")
    )
    # The incident filed anyway (FILED), or answered by an emailed article.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    # The ids of the articles that were shown, comma-separated ("12,7,30").
    shown: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[KnowledgeArticle | None] = relationship()

    __table_args__ = (Index("ix_kb_suggestion_outcomes_created", "created_at", "outcome"),)


class ArticleIncidentLink(Model):
    """An article an agent linked to an incident (sent in a reply, or written from it)."""

    __tablename__ = "kb_article_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[KnowledgeArticle] = relationship()

    __table_args__ = (UniqueConstraint("article_id", "incident_id"),)


@event.listens_for(KnowledgeArticle, "after_insert")
@event.listens_for(KnowledgeArticle, "after_update")
@event.listens_for(KnowledgeArticle, "after_delete")
def _queue_for_index(_mapper: Any, connection: Connection, target: KnowledgeArticle) -> None:
    """Queue the article for the search index inside the transaction that changed it."""
    connection.execute(insert(IndexQueueEntry).values(article_id=target.id, queued_at=utcnow()))
    session = object_session(target)
    if session is not None:
        session.info[INDEX_DIRTY] = True
