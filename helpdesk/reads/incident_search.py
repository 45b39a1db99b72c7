"""Finding incidents by what an agent types: a reference in any spelling, or a full-text
search of their subjects, descriptions, replies, notes and requesters (the index is
helpdesk.models.search). Used by the console's search box and its "go to reference"
lookups; the queues add these conditions to their own.

The search syntax, the same on SQLite (FTS5) and PostgreSQL (tsquery):

- words are ANDed: `printer jam` finds incidents holding both words, in any field;
- `"paper jam"` finds the words next to each other, in this order;
- `print*` finds words starting with "print";
- `-toner` leaves out incidents holding "toner" (also `-"toner low"`).

Words are runs of letters and digits, case does not matter; anything else separates words
(`pat@example.com` is the phrase "pat example com"). Every other character has no meaning:
the query is parsed here into a small tree (Search), and each engine's string is compiled
from the tree with every word quoted, so no input reaches the database as syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import Incident, incident_search
from helpdesk.models.search import DOCUMENT, FTS_TABLE
from helpdesk.references import spell_reference

# Bounds on what one query costs, whatever is typed.
MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MAX_PHRASE_WORDS = 12
# A longer word is cut to this many characters and searched as a prefix.
MAX_WORD_CHARS = 64
WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|(\S+)')
# FTS5 bm25 weights per field (subject, description, messages, people): the subject counts
# most. PostgreSQL's ts_rank weighs the same fields, in the same proportions, through their
# labels A-D, listed D, C, B, A (people, messages, description, subject).
BM25_WEIGHTS = (10.0, 4.0, 1.0, 2.0)
TS_RANK_WEIGHTS = "'{0.2, 0.1, 0.4, 1.0}'::float4[]"
# Markers the databases put around matched words in snippets; the text between them is
# escaped, the markers become <mark>.
OPEN, CLOSE = "\x02", "\x03"
SNIPPET_WORDS = 16
# The FTS5 table as a FROM clause; MATCH, bm25() and snippet() name it as a column.
FTS = table(FTS_TABLE, column("rowid", Integer))


def reference_candidates(text: str) -> list[str] | None:
    """If `text` looks like an incident reference (inc-123, INC-000123), list its spellings.

    Several exact spellings rather than a case-insensitive comparison keep the lookup on the
    unique index; old incidents keep the prefix they were created with.
    """
    match = re.fullmatch(r"\s*([A-Za-z]+)-(\d{1,12})\s*", text or "")
    if match is None:
        return None
    letters, digits = match.groups()
    number = int(digits)
    prefix = settings().site.reference_prefix
    spellings = [
        f"{letters}-{digits}",
        f"{letters.upper()}-{digits}",
        spell_reference(letters.upper(), number),
        spell_reference(prefix, number),
    ]
    return list(dict.fromkeys(spellings))


def find_by_reference(text: str) -> Incident | None:
    """Find an incident by its reference in any letter case, using the unique index."""
    candidates = reference_candidates(text)
    if candidates is None:
        return None
    return db.session.scalars(
        select(Incident).where(Incident.reference.in_(candidates)).order_by(Incident.id)
    ).first()


@dataclass(frozen=True)
class Term:
    """One word or phrase of a search: its words in order, whether the last is a prefix,
    and whether incidents holding it are left out."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class Search:
    """A parsed search: every included term must match (or, `any_of`, at least one), no
    excluded term may."""

    terms: tuple[Term, ...] = ()
    any_of: bool = False

    @property
    def included(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.excluded)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.excluded)


def _term(text: str, prefix: bool, excluded: bool) -> Term | None:
    """The term of one token's text: its words, each long one cut and made a prefix."""
    words = WORD.findall(text)[:MAX_PHRASE_WORDS]
    if not words:
        return None
    if len(words[-1]) > MAX_WORD_CHARS:
        prefix = True
    return Term(tuple(w[:MAX_WORD_CHARS] for w in words), prefix, excluded)


def parse(text: str) -> Search:
    """Parse what was typed into a Search; never fails: what is not syntax is words."""
    terms: list[Term] = []
    for match in TOKEN.finditer((text or "")[:MAX_QUERY_CHARS]):
        minus, quoted, star, bare = match.groups()
        if bare is None:
            term = _term(quoted, bool(star), bool(minus))
        else:
            excluded = bare.startswith("-")
            term = _term(bare, bare.endswith("*"), excluded)
        if term is not None and term not in terms:
            terms.append(term)
    return Search(tuple(terms[:MAX_TERMS]))


def has_words(text: str) -> bool:
    """Whether `text` is a search with words to rank by (not a reference, not blank)."""
    return reference_candidates(text) is None and bool(parse(text).included)


def _fts5_term(term: Term) -> str:
    quoted = " ".join(term.words).replace('"', '""')
    return f'"{quoted}"' + ("*" if term.prefix else "")


def to_fts5(search: Search) -> str | None:
    """The FTS5 MATCH string of the included terms, each excluded one subtracted (None when
    nothing is included: FTS5 cannot match "everything but")."""
    if not search.included:
        return None
    joiner = " OR " if search.any_of else " AND "
    query = "(" + joiner.join(_fts5_term(t) for t in search.included) + ")"
    return query + "".join(f" NOT {_fts5_term(t)}" for t in search.excluded)


def _pg_word(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_term(term: Term) -> str:
    words = [_pg_word(w) for w in term.words]
    if term.prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


def to_tsquery(search: Search) -> str | None:
    """The to_tsquery string of the search (None when nothing is included)."""
    if not search.included:
        return None
    included = (" | " if search.any_of else " & ").join(_pg_term(t) for t in search.included)
    if search.any_of:  # "|" binds looser than "&": grouped, the exclusions apply to all
        included = f"({included})"
    return included + "".join(f" & !{_pg_term(t)}" for t in search.excluded)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _pg_query(text: str) -> ColumnElement[object]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), text)


def _matching(search: Search, ranked: bool) -> Select[tuple[int, float]] | Select[tuple[int]]:
    """SELECT the ids (and, ranked, the rank: smaller first) of the incidents matching the
    search's included terms minus its excluded ones."""
    if _dialect() == "postgresql":
        document: ColumnElement[Any] = literal_column(f"incident_search.{DOCUMENT}")
        query = _pg_query(to_tsquery(search) or "")
        rank = (-func.ts_rank(literal_column(TS_RANK_WEIGHTS), document, query)).cast(Float)
        columns = [incident_search.c.incident_id.label("incident_id")]
        pg = select(*columns, *([rank.label("search_rank")] if ranked else []))
        return pg.where(document.op("@@")(query))
    fts: ColumnElement[Any] = literal_column(FTS_TABLE)
    bm25 = func.bm25(fts, *BM25_WEIGHTS)
    columns = [FTS.c.rowid.label("incident_id")]
    lite = select(*columns, *([bm25.label("search_rank")] if ranked else []))
    return lite.where(fts.op("MATCH")(to_fts5(search) or ""))


def ranked(q: str) -> Select[tuple[int, float]] | None:
    """The matching incidents with their rank (smaller is more relevant), or None when `q`
    has no word to rank by."""
    return ranked_search(parse(q))


def ranked_search(search: Search) -> Select[tuple[int, float]] | None:
    """The incidents matching a parsed search with their rank (smaller is more relevant),
    or None when it has no word to rank by."""
    if not search.included:
        return None
    return _matching(search, ranked=True)  # type: ignore[return-value]


def word_conditions(q: str) -> list[ColumnElement[bool]]:
    """The condition that an incident matches the search `q` (none for a blank `q`).

    A search of nothing but exclusions leaves out the incidents holding any of them; one
    with no word at all ("***") matches nothing.
    """
    if not (q or "").strip():
        return []
    search = parse(q)
    if search.included:
        return [Incident.id.in_(_matching(search, ranked=False))]
    if search.excluded:
        return [
            Incident.id.not_in(_matching(Search((Term(t.words, t.prefix),)), ranked=False))
            for t in search.excluded
        ]
    return [false()]


def highlighted(text: str) -> Markup:
    """Escape a snippet and turn the database's markers into <mark> around matched words."""
    parts = text.replace(CLOSE, OPEN).split(OPEN)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(part) if i % 2 else escape(part)
        for i, part in enumerate(parts)
    )


def snippets(q: str, ids: Sequence[int]) -> dict[int, Markup]:
    """For each of the incidents `ids` that matches `q`, its best passage with the matched
    words marked: the description, replies and notes (the subject shows anyway)."""
    search = parse(q)
    if not search.included or not ids or reference_candidates(q) is not None:
        return {}
    positive = Search(search.included)
    if _dialect() == "postgresql":
        body = incident_search.c.description + "\n" + incident_search.c.messages
        options = f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=24, MinWords=8"
        headline = func.ts_headline(
            literal_column("'simple'::regconfig"),
            body,
            _pg_query(to_tsquery(positive) or ""),
            options,
        )
        statement = select(incident_search.c.incident_id, headline).where(
            incident_search.c.incident_id.in_(ids)
        )
    else:
        fts: ColumnElement[Any] = literal_column(FTS_TABLE)
        best = func.snippet(fts, -1, OPEN, CLOSE, "…", SNIPPET_WORDS)
        statement = select(FTS.c.rowid, best).where(
            fts.op("MATCH")(to_fts5(positive)), FTS.c.rowid.in_(ids)
        )
    rows = db.session.execute(statement).all()
    return {int(row[0]): highlighted(row[1]) for row in rows if row[1] and OPEN in row[1]}
