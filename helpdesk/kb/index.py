"""The Whoosh index of knowledge base articles, kept in step with the database.

Layout in SEARCH_INDEX_DIR: one folder per index generation (`gen-<time>`), a `CURRENT`
file naming the live one, and `write.lock`. Every writer takes the lock, so two web
workers, the CLI and a rebuild never write at once.

Keeping in step: each article change queues an IndexQueueEntry in its own transaction
(see helpdesk.models.kb), and after the commit `sync()` applies the queue to the index.
If the lock is busy the entries simply wait: the next sync (after another change, or
before the next search) applies them, so a change is never lost and no request ever
fails on the index. `sync()` reads the articles *after* taking the lock, so the last
writer always indexes the latest committed state, whatever order commits came in.

`rebuild()` writes a complete new generation beside the live one and then swaps the
`CURRENT` pointer with os.replace: searchers keep reading the old generation until the
new one is whole. A missing or unreadable index is rebuilt on first use.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.index import FileIndex
from whoosh.searching import Searcher
from whoosh.util.filelock import FileLock

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.kb.analysis import ANALYZER, WORD_ANALYZER
from helpdesk.kb.render import plain_text
from helpdesk.models import IndexQueueEntry, KnowledgeArticle

log = logging.getLogger(__name__)
T = TypeVar("T")

POINTER = "CURRENT"
LOCK_FILE = "write.lock"
GENERATION_PREFIX = "gen-"
GENERATION_NAME = re.compile(r"^gen-\d+$")
REBUILD_LOCK_SECONDS = 600.0
DEFAULT_SYNC_WAIT_SECONDS = 1.0
BATCH = 500


def _text(stored: bool = False) -> TEXT:
    """A full-text field with the shared analyzer; no positions, as nothing asks for phrases."""
    return TEXT(analyzer=ANALYZER, stored=stored, phrase=False)


SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    title=_text(stored=True),
    tags=_text(),
    summary=_text(stored=True),
    body=_text(stored=True),
    # The unstemmed words of titles, tags and summaries: the vocabulary "did you mean"
    # suggests from (real words, not stems like "configur").
    words=TEXT(analyzer=WORD_ANALYZER, phrase=False),
    category=ID(stored=True),
    audience=ID(stored=True),
    status=ID(stored=True),
)

# Set while a bulk job holds index updates back (see deferred()).
_deferred: ContextVar[bool] = ContextVar("kb_index_deferred", default=False)
_open_indexes: dict[str, tuple[str, FileIndex]] = {}
_open_lock = threading.Lock()


def index_root() -> Path:
    """The folder that holds the index generations, from the config."""
    return settings().folders.search_index


def document(article: KnowledgeArticle) -> dict[str, str]:
    """The index document of an article: searchable text plus the fields results filter on."""
    body = plain_text(article.body_markdown)
    tags = " ".join(article.tag_list)
    return {
        "id": str(article.id),
        "title": article.title,
        "tags": tags,
        "summary": article.summary,
        "body": body,
        "words": " ".join((article.title, tags, article.summary)),
        "category": str(article.category_id or ""),
        "audience": article.audience,
        "status": article.status,
    }


@contextmanager
def write_lock(root: Path, wait: float) -> Iterator[bool]:
    """Hold the index write lock while the block runs; yields False if it stayed busy."""
    root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(root / LOCK_FILE))
    deadline = time.monotonic() + wait
    acquired = lock.acquire(blocking=False)
    while not acquired and time.monotonic() < deadline:
        time.sleep(0.02)
        acquired = lock.acquire(blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


def current_generation(root: Path) -> str | None:
    """The name of the live generation folder, or None when there is no index yet."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name or None


def _open(root: Path, generation: str | None) -> FileIndex:
    """Open (or reuse) the live generation; raises when it is missing or unreadable."""
    if generation is None or not GENERATION_NAME.match(generation):
        raise whoosh_index.EmptyIndexError(f"no index generation in {root}")
    with _open_lock:
        cached = _open_indexes.get(str(root))
        if cached and cached[0] == generation:
            return cached[1]
        opened = whoosh_index.open_dir(str(root / generation))
        _open_indexes[str(root)] = (generation, opened)
        return opened


class _Live:
    """This process's open searcher of one index folder, shared under a lock: opening a
    searcher reads every segment's offsets (milliseconds on a large index), and Whoosh
    searchers are not safe to use from two threads at once."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation: str | None = None
        self.searcher: Searcher | None = None
        self.healed_at = 0.0

    def current(self, root: Path, generation: str) -> Searcher:
        """The searcher of `generation`, opened or refreshed to its latest commit."""
        if self.searcher is None or self.generation != generation:
            self.close()
        elif not self.searcher.up_to_date():
            # Not Searcher.refresh(): it reuses the reader of a segment whose id is
            # unchanged, with the deletions it had then, so replaced documents came back.
            self.close()
        if self.searcher is None:
            self.searcher = _open(root, generation).searcher()
            self.generation = generation
        return self.searcher

    def close(self) -> None:
        """Let go of the open searcher (the next search opens a new one)."""
        if self.searcher is not None:
            self.searcher.close()
        self.searcher, self.generation = None, None


_live: dict[str, _Live] = {}
# Errors that mean a bug in the caller's code rather than damaged index files.
_BUGS = (AttributeError, TypeError, NameError, AssertionError, RecursionError)
HEAL_INTERVAL_SECONDS = 60.0


def _live_for(root: Path) -> _Live:
    """The shared searcher holder of an index folder."""
    with _open_lock:
        return _live.setdefault(str(root), _Live())


def read(work: Callable[[Searcher], T]) -> T:
    """Run `work` on a searcher of the live index, first applying any queued changes.

    A missing index, or one that fails to open or read (damaged files raise all sorts of
    errors from deep inside Whoosh), is rebuilt from the database and the work retried,
    at most once a minute so that a persistent fault cannot make every search rebuild.
    """
    root = index_root()
    sync_quietly(wait=0)
    live = _live_for(root)
    with live.lock:
        generation = current_generation(root)
        if generation is not None:
            try:
                return work(live.current(root, generation))
            except _BUGS:
                raise
            except Exception:
                live.close()
                if time.monotonic() - live.healed_at < HEAL_INTERVAL_SECONDS:
                    raise
                log.warning("search index %s is unreadable; rebuilding it", root, exc_info=True)
        live.healed_at = time.monotonic()
        _heal(generation)
        return work(live.current(root, current_generation(root) or ""))


def _backlog(session: Session) -> list[tuple[int, int]]:
    """The queued (entry id, article id) pairs, oldest first."""
    rows = session.execute(
        select(IndexQueueEntry.id, IndexQueueEntry.article_id).order_by(IndexQueueEntry.id)
    )
    return [(row.id, row.article_id) for row in rows]


def _forget(session: Session, entry_ids: list[int]) -> None:
    """Remove applied queue entries by id, never entries queued since they were read."""
    for start in range(0, len(entry_ids), BATCH):
        chunk = entry_ids[start : start + BATCH]
        session.execute(delete(IndexQueueEntry).where(IndexQueueEntry.id.in_(chunk)))
    session.commit()


def _apply_backlog(root: Path, session: Session) -> int:
    """Under the lock: write the current state of every queued article to the live index."""
    entries = _backlog(session)
    if not entries:
        return 0
    article_ids = sorted({article_id for _, article_id in entries})
    articles = {}
    for start in range(0, len(article_ids), BATCH):
        chunk = article_ids[start : start + BATCH]
        query = select(KnowledgeArticle).where(KnowledgeArticle.id.in_(chunk))
        articles.update({article.id: article for article in session.scalars(query)})
    writer = _open(root, current_generation(root)).writer(timeout=5.0)
    try:
        for article_id in article_ids:
            if article_id in articles:
                writer.update_document(**document(articles[article_id]))
            else:
                writer.delete_by_term("id", str(article_id))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    _forget(session, [entry_id for entry_id, _ in entries])
    return len(article_ids)


def _has_backlog() -> bool:
    """Whether any change waits for the index (one cheap query, on its own connection
    because the hooks call this while the session is finishing its commit)."""
    with db.engine.connect() as connection:
        return connection.execute(select(IndexQueueEntry.id).limit(1)).first() is not None


def sync(wait: float = DEFAULT_SYNC_WAIT_SECONDS) -> int:
    """Apply queued article changes to the index; returns how many articles were written.

    Waits at most `wait` seconds for the lock; if it stays busy the changes stay queued.
    """
    if not _has_backlog():
        return 0
    root = index_root()
    with write_lock(root, wait) as acquired:
        if not acquired:
            log.info("search index busy; queued changes wait for the next sync")
            return 0
        if current_generation(root) is None:
            return _rebuild_locked(root)
        with Session(db.engine) as session:
            return _apply_backlog(root, session)


def sync_quietly(wait: float | None = None) -> None:
    """Sync after a commit or before a search; a failure is logged and the changes stay
    queued, never raised to the person whose request triggered it."""
    if wait is None:
        wait = settings().kb_index_lock_seconds
    try:
        sync(wait)
    except Exception:
        log.exception("search index sync failed; the changes stay queued")


def is_deferred() -> bool:
    """Whether a bulk job asked to hold index updates until it ends."""
    return _deferred.get()


@contextmanager
def deferred() -> Iterator[None]:
    """Hold index updates during a bulk job (an import, the demo) and apply them in one go
    at the end: one index commit instead of one per article. Searches in between still
    see every change, because a search applies the queue first."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
        sync_quietly(wait=REBUILD_LOCK_SECONDS)


def rebuild(wait: float = REBUILD_LOCK_SECONDS) -> int:
    """Build a fresh index from the database and swap it in; returns the article count."""
    root = index_root()
    with write_lock(root, wait) as acquired:
        if not acquired:
            raise TimeoutError(f"the search index in {root} stayed locked for {wait:.0f} s")
        return _rebuild_locked(root)


def _heal(broken: str | None) -> None:
    """Rebuild a missing or damaged generation, unless another process already replaced it
    while this one waited for the lock (two workers finding the same damage)."""
    root = index_root()
    with write_lock(root, REBUILD_LOCK_SECONDS) as acquired:
        if not acquired:
            raise TimeoutError(f"the search index in {root} stayed locked")
        if current_generation(root) == broken:
            _rebuild_locked(root)


def _rebuild_locked(root: Path) -> int:
    """Under the lock: write a new generation, point CURRENT at it, then drop old ones."""
    previous = current_generation(root)
    generation = f"{GENERATION_PREFIX}{time.time_ns()}"
    folder = root / generation
    folder.mkdir(parents=True)
    with Session(db.engine) as session:
        entries = _backlog(session)  # read before the articles: all of these are covered
        count = _write_all(whoosh_index.create_in(str(folder), SCHEMA), _all_articles(session))
        _swap_pointer(root, generation)
        _forget(session, [entry_id for entry_id, _ in entries])
        _prune(root, keep={generation, previous})
        _apply_backlog(root, session)
    log.info("search index rebuilt: %d articles in %s", count, folder)
    return count


def _all_articles(session: Session) -> Iterator[KnowledgeArticle]:
    """Every article, streamed in batches so a large knowledge base fits in memory."""
    query = select(KnowledgeArticle).order_by(KnowledgeArticle.id)
    yield from session.scalars(query.execution_options(yield_per=BATCH))


def _write_all(ix: FileIndex, articles: Iterable[KnowledgeArticle]) -> int:
    """Add every article to a new, empty index and commit it as one optimised segment."""
    writer = ix.writer(limitmb=256)
    count = 0
    for article in articles:
        writer.add_document(**document(article))
        count += 1
    writer.commit(optimize=True)
    return count


def _swap_pointer(root: Path, generation: str) -> None:
    """Point CURRENT at `generation` in one atomic rename."""
    temporary = root / f"{POINTER}.{os.getpid()}.tmp"
    temporary.write_text(generation, encoding="utf-8")
    os.replace(temporary, root / POINTER)


def _prune(root: Path, keep: set[str | None]) -> None:
    """Delete generations older than the previous one; the previous one may still be read."""
    for folder in root.glob(f"{GENERATION_PREFIX}*"):
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
