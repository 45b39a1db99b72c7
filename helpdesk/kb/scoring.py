"""Ranking: BM25 summed over fields, computed term by term over the Whoosh postings.

Whoosh stores the index, analyses text and finds spelling neighbours; its matcher tree,
though, costs about a tenth of a millisecond per matching document in pure Python, so a
query whose words occur in a few thousand articles took 100+ ms on a 20,000-article
knowledge base. Reading each term's postings as arrays and adding up the scores in one
tight loop is ten times cheaper and keeps the p95 under 25 ms (see bench/kb.py).

Postings are read block by block through the Whoosh 3 codec's block arrays when they are
there (its matcher's `_read_ids`/`_read_weights`), and one posting at a time otherwise.
Postings and document lengths are cached per segment; segments never change once written
(deletions are read separately), so the caches never go stale.
"""

from __future__ import annotations

import heapq
import math
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

K1 = 1.2
B = 0.75
CACHED_POSTINGS = 4_000_000  # about 32 MB of arrays per process

Postings = tuple[array, array]


@dataclass(frozen=True)
class Clause:
    """One term to look for in one field, and how much a match counts."""

    field: str
    term: str
    boost: float


class _Cache:
    """A thread-safe LRU of arrays, bounded by the total number of items they hold."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        """The cached value, or None."""
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: Any, size: int) -> None:
        """Cache a value, evicting the least recently used ones beyond the limit."""
        with self.lock:
            if key not in self.items:
                self.items[key] = (value, size)
                self.size += size
            while self.size > self.limit and len(self.items) > 1:
                _, (_, evicted) = self.items.popitem(last=False)
                self.size -= evicted


_postings = _Cache(CACHED_POSTINGS)
# Per-document lists (field lengths, length norms, deleted documents) of each segment.
_per_document = _Cache(CACHED_POSTINGS // 4)


def _read(matcher: Any) -> Postings:
    """All (document, weight) postings of a matcher, as two arrays."""
    matcher = getattr(matcher, "child", matcher)  # unwrap the deletions filter
    ids, weights = array("I"), array("f")
    blockwise = hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block")
    while matcher.is_active():
        if blockwise:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
        else:
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


def _segment_key(segment_reader: IndexReader) -> str:
    """A name for a segment that stays the same for as long as its files exist."""
    return segment_reader.segment().segment_id()


def postings(segment_reader: IndexReader, field: str, term: str) -> Postings:
    """A segment's postings of one term (cached)."""
    key = (_segment_key(segment_reader), field, term)
    cached = _postings.get(key)
    if cached is not None:
        return cached[0]
    found = (array("I"), array("f"))
    if (field, term) in segment_reader:
        found = _read(segment_reader.postings(field, term))
    _postings.put(key, found, len(found[0]) + 1)
    return found


def lengths(segment_reader: IndexReader, field: str) -> list[int]:
    """The length in terms of every document's field in a segment (cached)."""
    key = (_segment_key(segment_reader), field)
    cached = _per_document.get(key)
    if cached is not None:
        return cached[0]
    count = segment_reader.doc_count_all()
    # `or 0`: Whoosh answers None, not the default, for a field that is empty.
    found = [segment_reader.doc_field_length(doc, field, 0) or 0 for doc in range(count)]
    _per_document.put(key, found, count + 1)
    return found


def _deleted_in(segment_reader: IndexReader) -> frozenset[int]:
    """A segment's deleted documents (cached: deletions only grow, so the live count
    in the key changes with each one)."""
    key = (_segment_key(segment_reader), "deleted", segment_reader.doc_count())
    cached = _per_document.get(key)
    if cached is not None:
        return cached[0]
    count = segment_reader.doc_count_all()
    found = frozenset(doc for doc in range(count) if segment_reader.is_deleted(doc))
    _per_document.put(key, found, len(found) + 1)
    return found


def deleted(reader: IndexReader) -> set[int]:
    """Documents replaced or removed but still in their segment's files."""
    gone: set[int] = set()
    for segment_reader, offset in reader.leaf_readers():
        if segment_reader.has_deletions():
            gone.update(offset + doc for doc in _deleted_in(segment_reader))
    return gone


def _norms(segment_reader: IndexReader, field: str, average: float) -> list[float]:
    """BM25's length normalisation of every document's field in a segment (cached until
    the average field length changes, that is until the next commit)."""
    key = (_segment_key(segment_reader), field, "norms", average)
    cached = _per_document.get(key)
    if cached is not None:
        return cached[0]
    flat, slope = K1 * (1 - B), K1 * B / average
    found = [flat + slope * size for size in lengths(segment_reader, field)]
    _per_document.put(key, found, len(found) + 1)
    return found


def scores(reader: IndexReader, clauses: Iterable[Clause]) -> list[float]:
    """Every document's score, by document number: the sum over the clauses of BM25 for
    the clause's term in its field (0.0 for documents no clause matches)."""
    total = max(reader.doc_count_all(), 1)
    leaves = reader.leaf_readers()
    found = [0.0] * total
    for clause in clauses:
        frequency = reader.doc_frequency(clause.field, clause.term)
        if not frequency:
            continue
        idf = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
        factor = clause.boost * idf * (K1 + 1)
        average = max(reader.field_length(clause.field) / total, 1.0)
        for segment_reader, offset in leaves:
            ids, weights = postings(segment_reader, clause.field, clause.term)
            if not ids:
                continue
            norm = _norms(segment_reader, clause.field, average)
            for doc, weight in zip(ids, weights, strict=True):
                found[doc + offset] += factor * weight / (weight + norm[doc])
    return found


def top(
    searcher: Searcher,
    clauses: Iterable[Clause],
    limit: int,
    excluded: frozenset[int],
    only: set[int] | None = None,
) -> list[tuple[int, float]]:
    """The `limit` best (document number, score) pairs, best first, leaving out the
    excluded documents and, given `only`, everything not in it."""
    found = scores(searcher.reader(), clauses)
    for doc in excluded:
        found[doc] = 0.0
    candidates = only if only is not None else range(len(found))
    best = heapq.nlargest(limit, candidates, key=found.__getitem__)
    return [(doc, found[doc]) for doc in best if found[doc] > 0.0]
