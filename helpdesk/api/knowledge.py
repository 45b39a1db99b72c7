"""The knowledge base through the API, with the web's rules (helpdesk.web.kb): end users
read published articles meant for everyone, and get the same 404 for a draft, an archived
or an agents-only article as for none at all; agents read every article and write them
through helpdesk.kb.service (create as a draft, edit as a new revision, publish, unpublish;
archiving, and anything from the archive, is for admins, as the service says).

The search is the portal's (helpdesk.kb.search): typo-tolerant, ranked, published articles
only, with the matched words marked. Searches through the API are not logged among the
searches the KB insights page counts, nor are readings counted as views: those figures are
about people at the portal, and a program repeating a call would skew them.
"""

from __future__ import annotations

from typing import Literal

from flask import url_for
from pydantic import BaseModel, Field
from spectree import Response
from sqlalchemy import Select, select

from helpdesk import bounds
from helpdesk.api.auth import agents_only, caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.problems import REFUSALS, Problem, problem
from helpdesk.api.schemas import Entry, UtcTime, sent
from helpdesk.core.errors import NotFound
from helpdesk.extensions import db
from helpdesk.kb import render, search, service
from helpdesk.kb.service import NOTE_MAX, SUMMARY_MAX, TAGS_MAX, TITLE_MAX, ArticleContent
from helpdesk.models import KnowledgeArticle, User
from helpdesk.models.kb import ARCHIVED, DRAFT, PUBLIC, PUBLISHED
from helpdesk.reads import kb_articles

# What only agents do here, as the console's pages say it ("Only agents ...").
AGENTS_WORK = "write the knowledge base"

Status = Literal["draft", "published", "archived"]
Audience = Literal["public", "agents"]
PER_PAGE_MAX = 50
MARKED = (
    "HTML: the words the search matched are wrapped in <mark>...</mark>; everything else "
    "is escaped text, so it is safe to put in a page as is."
)


class ArticleQuery(BaseModel):
    """A search (`q`) or, without one, the list of articles newest change first."""

    q: str | None = Field(
        default=None, max_length=200, description="Words to search for, as at the portal."
    )
    category_id: int | None = Field(default=None, ge=1, le=bounds.MAX_ID)
    status: Status | None = Field(
        default=None,
        description="The list only (search finds published articles): end users only ever "
        "see published ones.",
    )
    page: int = Field(default=1, ge=1, le=search.MAX_PAGE)
    per_page: int = Field(default=search.PER_PAGE, ge=1, le=PER_PAGE_MAX)


class Highlights(BaseModel):
    """Where a search matched an article."""

    title: str = Field(description=f"The title. {MARKED}")
    snippet: str = Field(description=f"A passage or two of the text. {MARKED}")


class ArticleListed(BaseModel):
    """An article in a list or among search results."""

    id: int
    slug: str
    title: str
    summary: str
    status: str = Field(description="draft, published or archived (end users: published)")
    audience: str = Field(description="public (everyone) or agents (agents only)")
    category: Entry | None
    tags: list[str]
    updated_at: UtcTime
    published_at: UtcTime | None
    highlights: Highlights | None = Field(default=None, description="Search results only.")


class ArticlePage(BaseModel):
    """One page of articles; `next` is the URL of the next page, if there is one."""

    items: list[ArticleListed]
    page: int
    next: str | None
    suggestion: str | None = Field(default=None, description="A search's 'did you mean'.")


class Editorial(BaseModel):
    """What the console shows agents about an article besides its text."""

    author: str
    revision: int = Field(description="The latest revision: send it as base_revision to edit.")
    view_count: int
    helpful_yes: int
    helpful_no: int


class ArticleOut(ArticleListed):
    """An article with its text, as Markdown source and as the page shows it."""

    body_markdown: str
    body_html: str = Field(description="The Markdown rendered and sanitised, as on the web.")
    created_at: UtcTime
    editorial: Editorial | None = Field(description="For agents only; none for end users.")


class ArticleIn(BaseModel):
    """A new article (saved as a draft)."""

    title: str = Field(max_length=TITLE_MAX)
    body: str = Field(description="The article text, in Markdown.")
    summary: str = Field(default="", max_length=SUMMARY_MAX)
    category_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)
    audience: Audience = "public"
    note: str = Field(default="", max_length=NOTE_MAX, description="For the revision history.")


class ArticleChange(BaseModel):
    """A change to an article: the fields sent replace those stored (`category_id` null
    files it under no category); `base_revision`, if sent, refuses the change when someone
    saved another revision since."""

    title: str | None = Field(default=None, max_length=TITLE_MAX)
    body: str | None = None
    summary: str | None = Field(default=None, max_length=SUMMARY_MAX)
    category_id: int | None = None
    tags: list[str] | None = Field(default=None, max_length=TAGS_MAX)
    audience: Audience | None = None
    note: str = Field(default="", max_length=NOTE_MAX)
    base_revision: int | None = Field(default=None, ge=0, le=bounds.MAX_ID)


class StatusChange(BaseModel):
    """Why, for the revision history."""

    note: str = Field(default="", max_length=NOTE_MAX)


READ = Response(HTTP_200=ArticleOut, HTTP_404=Problem, **REFUSALS)
WRITTEN = Response(
    HTTP_200=ArticleOut, HTTP_404=Problem, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS
)


def _listed(article: KnowledgeArticle, highlights: Highlights | None = None) -> ArticleListed:
    """An article as a list or search sends it (with the search's highlights, if any)."""
    category = article.category
    return ArticleListed(
        id=article.id,
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        status=article.status,
        audience=article.audience,
        category=Entry(id=category.id, name=category.name) if category else None,
        tags=article.tag_list,
        updated_at=article.updated_at,
        published_at=article.published_at,
        highlights=highlights,
    )


def article_out(article: KnowledgeArticle, viewer: User) -> ArticleOut:
    """The article as `viewer` may see it."""
    editorial = None
    if viewer.is_agent:
        editorial = Editorial(
            author=article.author.name,
            revision=kb_articles.latest_revision_number(article),
            view_count=article.view_count,
            helpful_yes=article.helpful_yes,
            helpful_no=article.helpful_no,
        )
    return ArticleOut(
        **_listed(article).model_dump(),
        body_markdown=article.body_markdown,
        body_html=str(render.render_markdown(article.body_markdown)),
        created_at=article.created_at,
        editorial=editorial,
    )


def _next(query: ArticleQuery, page: int, has_next: bool) -> str | None:
    """The URL of the page after `page`, if there is one."""
    if not has_next:
        return None
    return url_for(
        "api.find_articles", **(query.model_dump(exclude_none=True) | {"page": page + 1})
    )


def _searched(query: ArticleQuery, audience: str) -> ArticlePage:
    """One page of the portal's search for this audience, with the matches marked."""
    found = search.search(query.q, audience, query.category_id, query.page, query.per_page)
    items = [
        _listed(hit.article, Highlights(title=str(hit.title), snippet=str(hit.snippet)))
        for hit in found.results
    ]
    return ArticlePage(
        items=items,
        page=found.page,
        next=_next(query, found.page, found.has_next),
        suggestion=found.suggestion,
    )


def _listing(query: ArticleQuery, viewer: User) -> ArticlePage:
    """One page of the articles the viewer may read (agents: every status, as the
    editor's list), newest change first."""
    rows: Select[tuple[KnowledgeArticle]] = (
        select(KnowledgeArticle) if viewer.is_agent else kb_articles.readable(PUBLIC)
    )
    if query.status is not None:
        rows = rows.where(KnowledgeArticle.status == query.status)
    if query.category_id is not None:
        rows = rows.where(KnowledgeArticle.category_id == query.category_id)
    rows = rows.order_by(KnowledgeArticle.updated_at.desc(), KnowledgeArticle.id.desc())
    listing = bounds.paginate(rows, query.page, query.per_page)
    return ArticlePage(
        items=[_listed(article) for article in listing.items],
        page=listing.page,
        next=_next(query, listing.page, listing.has_next),
    )


@bp.get("/kb/articles")
@requires("read")
@spec.validate(resp=Response(HTTP_200=ArticlePage, **REFUSALS), tags=["knowledge base"])
def find_articles(query: ArticleQuery) -> ArticlePage:
    """Search the articles (`q`, most relevant first, with highlights) or list them."""
    viewer = caller()
    if query.q is not None and query.q.strip():
        return _searched(query, search.audience_for(viewer))
    return _listing(query, viewer)


def _any_article(reference: str) -> KnowledgeArticle | None:
    """The article a slug names or, failing that, a number as its id, whatever its status."""
    found = kb_articles.article_by_slug(reference)
    ident = bounds.parse_id(reference)
    if found is None and ident is not None:
        found = db.session.get(KnowledgeArticle, ident)
    return found


def _missing(reference: str) -> object:
    """The 404 for an article that is missing or that the caller may not see, alike."""
    return problem(404, "not_found", f"No article {reference[:80]!r} that you may see.")


@bp.get("/kb/articles/<reference>")
@requires("read")
@spec.validate(resp=READ, tags=["knowledge base"])
def read_article(reference: str) -> ArticleOut | object:
    """One article by slug or id: end users only published ones meant for everyone."""
    viewer = caller()
    found = _any_article(reference)
    if found is not None and not viewer.is_agent:
        found = kb_articles.article_for(found.slug, PUBLIC)
    return _missing(reference) if found is None else article_out(found, viewer)


def _unknown_category(error: NotFound) -> object:
    """An unknown category in a request body is bad input, not a missing article."""
    return problem(422, "invalid_input", str(error))


@bp.post("/kb/articles")
@requires("write")
@idempotent
@spec.validate(
    headers=IdempotencyHeaders,
    resp=Response(HTTP_201=ArticleOut, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS),
    tags=["knowledge base"],
)
def create_article(json: ArticleIn) -> object:
    """Write a new article, saved as a draft (publish it with .../publish)."""
    json = sent(json)
    agents_only(AGENTS_WORK)
    content = ArticleContent(
        title=json.title,
        body_markdown=json.body,
        summary=json.summary,
        category_id=json.category_id,
        tags=json.tags,
        audience=json.audience,
    )
    try:
        created = service.create_article(caller(), content, note=json.note)
    except NotFound as error:
        return _unknown_category(error)
    location = url_for("api.read_article", reference=created.id)
    return article_out(created, caller()), 201, {"Location": location}


def _changed(article: KnowledgeArticle, change: ArticleChange) -> ArticleContent:
    """The article's content with the fields the change sent replaced (a title, body or
    summary sent as null is an empty one, which the service refuses or clears)."""
    sent = change.model_dump(exclude_unset=True)
    return ArticleContent(
        title=sent.get("title", article.title) or "",
        body_markdown=sent.get("body", article.body_markdown) or "",
        summary=sent.get("summary", article.summary) or "",
        category_id=sent.get("category_id", article.category_id),
        tags=sent.get("tags", article.tag_list) or [],
        audience=sent.get("audience") or article.audience,
    )


@bp.patch("/kb/articles/<reference>")
@requires("write")
@spec.validate(resp=WRITTEN, tags=["knowledge base"])
def update_article(reference: str, json: ArticleChange) -> object:
    """Change an article (by slug or id) as a new revision."""
    agents_only(AGENTS_WORK)
    json = sent(json)
    article = _any_article(reference)
    if article is None:
        return _missing(reference)
    try:
        service.edit_article(
            article, caller(), _changed(article, json), json.note, json.base_revision
        )
    except NotFound as error:
        return _unknown_category(error)
    return article_out(article, caller())


def _move(reference: str, target: str, note: str) -> object:
    """Move an article to `target` as the service allows this caller."""
    agents_only(AGENTS_WORK)
    article = _any_article(reference)
    if article is None:
        return _missing(reference)
    service.set_status(article, caller(), target, note)
    return article_out(article, caller())


@bp.post("/kb/articles/<reference>/publish")
@requires("write")
@spec.validate(resp=WRITTEN, tags=["knowledge base"])
def publish_article(reference: str, json: StatusChange) -> object:
    """Publish an article: its audience can read and find it (from the archive: admins)."""
    return _move(reference, PUBLISHED, sent(json).note)


@bp.post("/kb/articles/<reference>/unpublish")
@requires("write")
@spec.validate(resp=WRITTEN, tags=["knowledge base"])
def unpublish_article(reference: str, json: StatusChange) -> object:
    """Move an article back to the drafts (from the archive: admins)."""
    return _move(reference, DRAFT, sent(json).note)


@bp.post("/kb/articles/<reference>/archive")
@requires("write")
@spec.validate(resp=WRITTEN, tags=["knowledge base"])
def archive_article(reference: str, json: StatusChange) -> object:
    """Archive an article (admins): kept, but nobody reads or finds it."""
    return _move(reference, ARCHIVED, sent(json).note)
