"""Turning what someone typed into ranked clauses, and into "did you mean".

No query syntax is parsed: quotes, colons, AND, brackets and stray symbols are plain
words or nothing, so no input can be a syntax error. Each word is looked for in every
field (title and tags weigh most), its synonyms a little lower, and - when the word is
unknown or rare in the index, so probably mistyped - the index's words one typo away,
lowest of all. Articles that match more of the words score higher because the scores add
up (helpdesk.kb.scoring).
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from whoosh.query import Or, Query, Term
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from helpdesk.kb.analysis import WORD_ANALYZER, stemmed, synonym_table, words
from helpdesk.kb.scoring import Clause, deleted
from helpdesk.models.kb import AGENTS, ARCHIVED, DRAFT

FIELD_BOOSTS = {"title": 4.0, "tags": 3.0, "summary": 2.0, "body": 1.0}
# Synonyms and typo corrections count in the title and the body.
NEAR_FIELD_BOOSTS = {"title": 4.0, "body": 1.0}
SYNONYM_WEIGHT = 0.6
TYPO_WEIGHT = 0.4
TYPO_MIN_LENGTH = 4
TYPO_VARIANTS = 3
# A word in at most this many articles may be a typo: its one-edit neighbours are searched
# too. A word found in more articles is almost certainly spelt as meant.
TYPO_MAX_DOCS = 2
MAX_WORDS = 16
QUERY_MAX_CHARS = 200


@dataclass(frozen=True)
class Plan:
    """What to score, and every term it can match (which the snippets highlight)."""

    clauses: tuple[Clause, ...]
    terms: frozenset[str]


def clean(text: str | None) -> str:
    """Trim what was typed to something worth searching: one line, bounded length."""
    return " ".join((text or "").split())[:QUERY_MAX_CHARS]


def _hidden_query(audience: str) -> Query:
    """Drafts, archived articles, and internal ones for everyone but agents."""
    parts: list[Query] = [Term("status", DRAFT), Term("status", ARCHIVED)]
    if audience != AGENTS:
        parts.append(Term("audience", AGENTS))
    return Or(parts)


_hidden: WeakKeyDictionary[Searcher, dict[str, frozenset[int]]] = WeakKeyDictionary()


def hidden(searcher: Searcher, audience: str) -> frozenset[int]:
    """The document numbers this audience must not find, and the deleted ones (worked out
    once per searcher: the shared searcher is replaced whenever the index changes)."""
    known = _hidden.setdefault(searcher, {})
    if audience not in known:
        found = set(searcher.docs_for_query(_hidden_query(audience)))
        known[audience] = frozenset(found | deleted(searcher.reader()))
    return known[audience]


def in_category(searcher: Searcher, category_id: int | None) -> set[int] | None:
    """The document numbers of one category, or None for all."""
    if category_id is None:
        return None
    return set(searcher.docs_for_query(Term("category", str(category_id))))


def typo_variants(reader: IndexReader, word: str, known: set[str]) -> list[str]:
    """Index terms one edit away from a rare or unknown word's stem, commonest first."""
    exact = stemmed(word)
    if len(word) < TYPO_MIN_LENGTH or word.isdigit():
        return []
    if reader.doc_frequency("body", exact) + reader.doc_frequency("title", exact) > TYPO_MAX_DOCS:
        return []
    found = set(reader.terms_within("body", exact, 1, prefix=1)) - known
    ranked = sorted(found, key=lambda term: -reader.doc_frequency("body", term))
    return ranked[:TYPO_VARIANTS]


def _clauses(term: str, weight: float, fields: dict[str, float]) -> list[Clause]:
    """The term in each of these fields, boosted by the field's weight times `weight`."""
    return [Clause(field, term, boost * weight) for field, boost in fields.items()]


def plan(reader: IndexReader, text: str, limit: int = MAX_WORDS) -> Plan:
    """Build the clauses for `text` against this index's vocabulary."""
    synonyms = synonym_table()
    clauses: list[Clause] = []
    terms: set[str] = set()
    for word in words(text)[:limit]:
        exact = stemmed(word)
        near = dict.fromkeys(synonyms.get(exact, ()), SYNONYM_WEIGHT)
        near.update(dict.fromkeys(typo_variants(reader, word, {exact, *near}), TYPO_WEIGHT))
        clauses += _clauses(exact, 1.0, FIELD_BOOSTS)
        for term, weight in near.items():
            clauses += _clauses(term, weight, NEAR_FIELD_BOOSTS)
        terms.update((exact, *near))
    return Plan(tuple(clauses), frozenset(terms))


def _known(reader: IndexReader, word: str) -> bool:
    """Whether the index has this word (as typed, or its stem) anywhere."""
    return ("words", word) in reader or ("body", stemmed(word)) in reader


def _visible_word(searcher: Searcher, word: str, excluded: frozenset[int]) -> bool:
    """Whether the word occurs in an article this person may see (so suggesting it
    never reveals the vocabulary of drafts or internal articles)."""
    return any(doc not in excluded for doc in searcher.docs_for_query(Term("words", word)))


def _correction(searcher: Searcher, word: str, excluded: frozenset[int]) -> str | None:
    """The closest visible word to an unknown one, or None."""
    corrector = searcher.corrector("words")
    for candidate in corrector.suggest(word, limit=5, maxdist=2, prefix=1):
        if candidate != word and _visible_word(searcher, candidate, excluded):
            return candidate
    return None


def _typed_words(text: str) -> list[tuple[int, int, str]]:
    """The words of `text` with their places; of "wi-fi" only the joined "wifi" counts."""
    tokens = [(t.startchar, t.endchar, t.text) for t in WORD_ANALYZER(text, chars=True)]
    return [
        (start, end, word)
        for start, end, word in tokens
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in tokens)
    ]


def did_you_mean(searcher: Searcher, text: str, excluded: frozenset[int]) -> str | None:
    """The query with each unknown word replaced by its closest known one, or None."""
    reader = searcher.reader()
    synonyms = synonym_table()
    suggestion = text
    changed = False
    for start, end, word in reversed(_typed_words(text)):
        if len(word) < 3 or word.isdigit() or stemmed(word) in synonyms or _known(reader, word):
            continue
        fix = _correction(searcher, word, excluded)
        if fix:
            suggestion = suggestion[:start] + fix + suggestion[end:]
            changed = True
    return suggestion if changed else None
