"""THE service layer for knowledge base writes: create, edit, publish, archive, delete,
vote, and the counters (views, searches). Like helpdesk.incidents, each function
validates first, writes, and commits once at its end; a refusal raises a DomainError
whose message is meant for the person who asked. The search index follows each commit
by itself (see helpdesk.kb.index)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import (
    ArticleRevision,
    ArticleVote,
    Category,
    KnowledgeArticle,
    SearchLog,
    User,
    utcnow,
)
from helpdesk.models.kb import ARCHIVED, AUDIENCES, DRAFT, PUBLIC, PUBLISHED
from helpdesk.reads import kb_articles

TITLE_MAX = 200
SUMMARY_MAX = 500
NOTE_MAX = 255
SLUG_MAX = 120
TAG_MAX = 40
TAGS_MAX = 20
SEARCH_MAX = 200
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /kb/ that an article slug must not shadow.
RESERVED_SLUGS = frozenset({"search", "manage", "insights", "categories", "new", "static"})


class Unchanged(InvalidInput):
    """An edit that changes nothing: no revision is recorded."""


@dataclass(frozen=True)
class ArticleContent:
    """What an editor writes: everything about an article except its life-cycle."""

    title: str
    body_markdown: str
    summary: str = ""
    category_id: int | None = None
    tags: str | Sequence[str] = ""
    audience: str = PUBLIC


def _require_admin(actor: User | None) -> None:
    """Archiving and deleting are for admins (None is the system, e.g. an import)."""
    if actor is not None and not actor.is_admin:
        raise NotAllowed("Only admins can do that.")


def slugify(title: str) -> str:
    """A readable URL name from a title: "Wi-Fi: get online" -> "wi-fi-get-online"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-") or "article"


def _free_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever no article uses yet."""
    taken = set(
        db.session.scalars(
            select(KnowledgeArticle.slug).where(KnowledgeArticle.slug.like(f"{base}%"))
        )
    )
    candidate, number = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _chosen_slug(slug: str) -> str:
    """Check a slug given explicitly (by an import): well-formed, not reserved, unused."""
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
        raise InvalidInput(
            f"The slug {slug!r} may only hold lower-case letters, digits and single hyphens."
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"The slug {slug!r} is reserved; please choose another.")
    if db.session.scalar(select(KnowledgeArticle.id).where(KnowledgeArticle.slug == slug)):
        raise InvalidInput(f"An article with the slug {slug!r} already exists.")
    return slug


def normalise_tags(tags: str | Sequence[str]) -> str:
    """Tags as stored: lower-case, single spaces, no repeats, comma-separated."""
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    cleaned = [" ".join(check.typed_text(tag).replace("#", " ").split()).lower() for tag in items]
    unique = list(dict.fromkeys(tag for tag in cleaned if tag))
    if len(unique) > TAGS_MAX:
        raise InvalidInput(f"An article can have at most {TAGS_MAX} tags.")
    for tag in unique:
        if len(tag) > TAG_MAX:
            raise InvalidInput(f"The tag {tag[:20]!r}... is too long (at most {TAG_MAX}).")
    return ",".join(unique)


@dataclass(frozen=True)
class _Checked:
    """Validated content, ready to store."""

    title: str
    summary: str
    body_markdown: str
    category_id: int | None
    tags: str
    audience: str


def _checked(content: ArticleContent) -> _Checked:
    """Validate every field of the content, or raise with the first problem."""
    if content.audience not in AUDIENCES:
        raise InvalidInput("The audience must be everyone (public) or agents only.")
    category = check.existing(Category, content.category_id, "category")
    return _Checked(
        title=check.required_text(content.title, "The title", TITLE_MAX),
        summary=check.optional_text(content.summary, "The summary", SUMMARY_MAX) or "",
        body_markdown=check.required_text(content.body_markdown, "The article text"),
        category_id=category.id if category else None,
        tags=normalise_tags(content.tags),
        audience=content.audience,
    )


def _record(article: KnowledgeArticle, editor: User | None, action: str, note: str) -> None:
    """Append a revision: a snapshot of the article as it now is, and who did what."""
    db.session.flush()
    db.session.add(
        ArticleRevision(
            article_id=article.id,
            number=kb_articles.latest_revision_number(article) + 1,
            action=action,
            editor_id=editor.id if editor else None,
            title=article.title,
            summary=article.summary,
            body_markdown=article.body_markdown,
            tags=article.tags,
            category_id=article.category_id,
            audience=article.audience,
            status=article.status,
            note=check.optional_text(note, "The change note", NOTE_MAX) or "",
        )
    )


def _save() -> None:
    """Commit, turning a clash with a simultaneous save into a message, not an error page."""
    try:
        commit()
    except IntegrityError as error:
        raise InvalidInput(
            "Someone else saved this article at the same moment. Please reload and try again."
        ) from error


@unit_of_work
def create_article(
    author: User, content: ArticleContent, slug: str | None = None, note: str = ""
) -> KnowledgeArticle:
    """Write a new article as a draft; its first revision records who wrote it."""
    check.require_agent(author)
    fields = _checked(content)
    article = KnowledgeArticle(
        slug=_chosen_slug(slug) if slug else _free_slug(slugify(fields.title)),
        author_id=author.id,
        status=DRAFT,
        created_at=utcnow(),
        updated_at=utcnow(),
        **vars(fields),
    )
    db.session.add(article)
    _record(article, author, "created", note)
    _save()
    return article


@unit_of_work
def edit_article(
    article: KnowledgeArticle,
    editor: User,
    content: ArticleContent,
    note: str = "",
    base_revision: int | None = None,
) -> KnowledgeArticle:
    """Change an article's content as a new revision.

    `base_revision` is the revision the editor started from: if someone else saved since,
    the edit is refused rather than silently overwriting their work.
    """
    check.require_agent(editor)
    fields = _checked(content)
    latest = kb_articles.latest_revision_number(article)
    if base_revision is not None and base_revision != latest:
        raise InvalidInput(
            f"This article was changed by someone else while you were editing (now at "
            f"revision {latest}). Your text is kept below: check the history, then save again."
        )
    if all(getattr(article, name) == value for name, value in vars(fields).items()):
        raise Unchanged("Nothing has changed since the last revision.")
    for name, value in vars(fields).items():
        setattr(article, name, value)
    article.updated_at = utcnow()
    _record(article, editor, "edited", note)
    _save()
    return article


def _may_move(article: KnowledgeArticle, actor: User | None, target: str) -> None:
    """Agents publish and unpublish drafts; archiving, and anything from the archive, is
    for admins."""
    check.require_agent(actor)
    if target == article.status:
        raise InvalidInput(f"The article is already {target}.")
    if ARCHIVED in (target, article.status):
        _require_admin(actor)


@unit_of_work
def set_status(
    article: KnowledgeArticle, actor: User | None, target: str, note: str = ""
) -> KnowledgeArticle:
    """Publish, unpublish (back to draft) or archive an article, as a revision."""
    if target not in (DRAFT, PUBLISHED, ARCHIVED):
        raise InvalidInput("Unknown article status.")
    _may_move(article, actor, target)
    article.status = target
    article.updated_at = utcnow()
    if target == PUBLISHED and article.published_at is None:
        article.published_at = article.updated_at
    _record(article, actor, target if target != DRAFT else "unpublished", note)
    _save()
    return article


def publish_article(article: KnowledgeArticle, actor: User | None) -> KnowledgeArticle:
    """Make an article visible to its audience."""
    return set_status(article, actor, PUBLISHED)


@unit_of_work
def delete_article(article: KnowledgeArticle, actor: User | None) -> None:
    """Remove an article with its history and votes for good (admins)."""
    check.require_agent(actor)
    _require_admin(actor)
    db.session.delete(article)
    commit()


@unit_of_work
def vote(
    article: KnowledgeArticle, voter: User | None, helpful: bool, previous: bool | None = None
) -> None:
    """Record "was this helpful?". A signed-in voter may change their answer; for an
    anonymous visitor the caller passes what this browser answered before (if anything)."""
    if article.status != PUBLISHED:
        raise InvalidInput("Only published articles can be rated.")
    existing = None
    if voter is not None:
        existing = db.session.scalar(
            select(ArticleVote).where(
                ArticleVote.article_id == article.id, ArticleVote.user_id == voter.id
            )
        )
        previous = existing.helpful if existing else None
    if previous is not None and (voter is None or previous == helpful):
        return
    if existing is not None:
        existing.helpful, existing.created_at = helpful, utcnow()
    else:
        user_id = voter.id if voter is not None else None
        db.session.add(ArticleVote(article_id=article.id, user_id=user_id, helpful=helpful))
    yes = int(helpful) - int(previous is True)
    no = int(not helpful) - int(previous is False)
    db.session.execute(
        update(KnowledgeArticle)
        .where(KnowledgeArticle.id == article.id)
        .values(
            helpful_yes=KnowledgeArticle.helpful_yes + yes,
            helpful_no=KnowledgeArticle.helpful_no + no,
        )
    )
    _save()


@unit_of_work
def record_view(article: KnowledgeArticle) -> None:
    """Count one reading of an article (a single UPDATE, so concurrent readers all count)."""
    db.session.execute(
        update(KnowledgeArticle)
        .where(KnowledgeArticle.id == article.id)
        .values(view_count=KnowledgeArticle.view_count + 1)
    )
    commit()


def role_of(user: User | None) -> str:
    """How a searcher is counted: anonymous, user or agent (admins count as agents)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return "anonymous"
    return "agent" if user.is_agent else "user"


@unit_of_work
def record_search(query: str, role: str, results: int) -> None:
    """Log a search and how many results it had; the empty ones show what is missing."""
    text = " ".join(check.typed_text(query).split()).lower()[:SEARCH_MAX]
    if not text:
        return
    db.session.add(SearchLog(query=text, role=role, results=results, created_at=utcnow()))
    commit()
