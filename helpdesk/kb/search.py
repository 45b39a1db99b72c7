"""Searching the knowledge base: ranked pages with snippets, suggestions, related articles.

Every function takes an `audience`: PUBLIC for users and anonymous visitors (public
published articles only) or AGENTS (internal ones too); `audience_for(user)` picks it.
The index ranks and provides the snippets; the articles themselves are then loaded from
the database and checked again, so an index a moment behind a change can never show an
article its reader may not see.

Pages do not say how many results there are in all, only whether another page follows:
the ranking looks at a page's worth and one more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from whoosh.query import Term
from whoosh.searching import Searcher

from helpdesk.extensions import db
from helpdesk.kb import index, scoring, snippets
from helpdesk.kb import query_terms as planner
from helpdesk.kb.analysis import words
from helpdesk.models import KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, PUBLIC
from helpdesk.reads.kb_articles import readable

PER_PAGE = 10
# Nobody reads page 100 of a help search; asking for it costs as much as ranking 1,000.
MAX_PAGE = 100
RELATED_TERMS = 12
# Long texts (an incident description) are searched by their most telling terms.
LONG_TEXT_WORDS = 24

Row = tuple[int, float, Markup, Markup]


@dataclass(frozen=True)
class Result:
    """One article found, with its title and a snippet where the query matched."""

    article: KnowledgeArticle
    title: Markup
    snippet: Markup
    score: float


@dataclass(frozen=True)
class SearchPage:
    """One page of ranked results and what the page needs around them."""

    query: str
    results: list[Result]
    page: int = 1
    per_page: int = PER_PAGE
    has_next: bool = False
    category_id: int | None = None
    suggestion: str | None = None

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def first(self) -> int:
        """The position of the page's first result, counting from 1."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        """The position of the page's last result."""
        return self.first + len(self.results) - 1


@dataclass
class _Found:
    """What a search read from the index, before the articles are loaded."""

    rows: list[Row]
    page: int = 1
    has_next: bool = False
    suggestion: str | None = None


def audience_for(user: User | None) -> str:
    """AGENTS for agents and admins; PUBLIC for users and anonymous visitors."""
    return AGENTS if user is not None and getattr(user, "is_agent", False) else PUBLIC


def _row(searcher: Searcher, doc: int, score: float, terms: frozenset[str]) -> Row:
    """The id, score, highlighted title and snippet of one ranked document."""
    fields = searcher.stored_fields(doc)
    title = snippets.whole(fields["title"], terms) or escape(fields["title"])
    snippet = snippets.excerpt(fields["body"], terms) or snippets.whole(fields["summary"], terms)
    if snippet is None:
        snippet = escape(fields["summary"] or fields["body"][: snippets.SNIPPET_CHARS])
    return int(fields["id"]), score, Markup(title), snippet


def _rows(
    searcher: Searcher, ranked: Sequence[tuple[int, float]], terms: frozenset[str]
) -> list[Row]:
    """Rows for ranked (document, score) pairs."""
    return [_row(searcher, doc, score, terms) for doc, score in ranked]


def _load(rows: Sequence[Row], audience: str) -> list[Result]:
    """Load the hits' articles in rank order, dropping any its reader may not see now."""
    ids = [row[0] for row in rows]
    if not ids:
        return []
    query = (
        readable(audience)
        .where(KnowledgeArticle.id.in_(ids))
        .options(selectinload(KnowledgeArticle.category))
    )
    articles = {article.id: article for article in db.session.scalars(query)}
    return [
        Result(articles[article_id], title, snippet, score)
        for article_id, score, title, snippet in rows
        if article_id in articles
    ]


def _page(
    searcher: Searcher, typed: str, audience: str, category: int | None, page: int, per_page: int
) -> _Found:
    """Rank the index for one page (a page past the end shows the last one)."""
    excluded = planner.hidden(searcher, audience)
    plan = planner.plan(searcher.reader(), typed)
    only = planner.in_category(searcher, category)
    ranked = scoring.top(searcher, plan.clauses, page * per_page + 1, excluded, only)
    page = max(1, min(page, -(-len(ranked) // per_page)))
    start = (page - 1) * per_page
    rows = _rows(searcher, ranked[start : start + per_page], plan.terms)
    suggestion = planner.did_you_mean(searcher, typed, excluded)
    return _Found(rows, page, len(ranked) > start + per_page, suggestion)


def search(
    text: str | None,
    audience: str,
    category_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """Search with typo tolerance and synonyms, most relevant first, one page at a time."""
    typed = planner.clean(text)
    if not words(typed):
        return SearchPage(typed, [], category_id=category_id, per_page=per_page)
    found = index.read(
        lambda searcher: _page(
            searcher, typed, audience, category_id, min(max(page, 1), MAX_PAGE), per_page
        )
    )
    return SearchPage(
        typed,
        _load(found.rows, audience),
        found.page,
        per_page,
        found.has_next,
        category_id,
        found.suggestion,
    )


def more_like_this(
    text: str, audience: str, limit: int = 5, exclude_id: int | None = None
) -> list[Result]:
    """Articles about the same thing as `text`, ranked by its most telling terms."""

    def work(searcher: Searcher) -> list[Row]:
        ranked, terms = _like(searcher, text, audience, limit, exclude_id)
        return _rows(searcher, ranked, terms)

    return _load(index.read(work), audience)


def ids_like_this(text: str, audience: str, limit: int) -> list[int]:
    """The ids of the articles `more_like_this` would find, best first, without titles,
    snippets or loading them: for callers that show only a title (an emailed list)."""

    def work(searcher: Searcher) -> list[int]:
        ranked, _terms = _like(searcher, text, audience, limit, None)
        return [int(searcher.stored_fields(doc)["id"]) for doc, _score in ranked]

    return index.read(work)


def _like(
    searcher: Searcher, text: str, audience: str, limit: int, exclude_id: int | None
) -> tuple[list[tuple[int, float]], frozenset[str]]:
    """Rank documents by the most telling terms of `text`; also return those terms."""
    key_terms = searcher.key_terms_from_text("body", text, numterms=RELATED_TERMS)
    excluded = planner.hidden(searcher, audience)
    if exclude_id is not None:
        excluded = excluded | set(searcher.docs_for_query(Term("id", str(exclude_id))))
    clauses = [scoring.Clause("body", term, weight) for term, weight in key_terms]
    clauses += [scoring.Clause("title", term, 2 * weight) for term, weight in key_terms]
    ranked = scoring.top(searcher, clauses, limit, excluded)
    return list(ranked), frozenset(term for term, _ in key_terms)


def suggest(text: str, audience: str, limit: int = 5) -> list[Result]:
    """Articles that may solve what `text` (say, an incident's subject and description)
    describes: a short text is searched word by word, typos and all; a long one by its
    most telling terms."""
    typed = " ".join(text.split())
    if len(words(typed)) > LONG_TEXT_WORDS:
        return more_like_this(typed, audience, limit)

    def work(searcher: Searcher) -> list[Row]:
        plan = planner.plan(searcher.reader(), planner.clean(typed))
        excluded = planner.hidden(searcher, audience)
        return _rows(searcher, scoring.top(searcher, plan.clauses, limit, excluded), plan.terms)

    return _load(index.read(work), audience)


def related(article: KnowledgeArticle, audience: str, limit: int = 5) -> list[KnowledgeArticle]:
    """Other articles on the same subject as this one that the reader may see."""
    text = " ".join((article.title, article.title, " ".join(article.tag_list), article.summary))
    body = article.body_markdown[:4000]
    found = more_like_this(f"{text} {body}", audience, limit, exclude_id=article.id)
    return [result.article for result in found]
