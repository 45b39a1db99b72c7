"""Ingesting mail from files: `helpdesk mail import PATH...` and the Maildir drop folder.

Every message goes through the same pipeline as mail fetched over IMAP, so an import is
deduplicated against what the gateway already took in and can be run again safely. An
import reads every file under a folder, at any depth, whatever its name: a Maildir folder
and an mbox file are recognised as such, any other file is taken as one message (one
that is not mail is quarantined, saying so). Hidden and empty files are skipped and
named in the summary. The embedded inbound transport (a Maildir drop folder) is drained
by `ingest_maildir`.
"""

from __future__ import annotations

import itertools
import logging
import mailbox
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from helpdesk.core.settings import settings
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from mail_gateway import failures, maildir
from mail_gateway.ingest import ingest
from mail_gateway.ledger import DUPLICATE

# Outcome -> Summary counter.
COUNTERS = {
    "new_incident": "new_incidents",
    "reply": "replies",
    "follow_up": "follow_ups",
    "flagged": "flagged",
    "bounce": "bounces",
    "ignored": "ignored",
    DUPLICATE: "duplicates",
    "quarantined": "quarantined",
}
LABELS = {
    "new_incidents": "new incidents",
    "replies": "replies",
    "follow_ups": "follow-ups",
    "flagged": "flagged",
    "bounces": "bounces",
    "ignored": "ignored",
    "duplicates": "duplicates",
    "quarantined": "quarantined",
}
# Why an import passed over a file or folder: reason -> what the summary says of it.
HIDDEN = "hidden"
EMPTY = "empty"
FOLDER_LINK = "folder link"
SKIP_REASONS = {
    HIDDEN: "its name starts with a dot",
    EMPTY: "the file is empty",
    FOLDER_LINK: "a link to a folder, not followed",
}

log = logging.getLogger(__name__)


class IngestResultLike(Protocol):
    """What a pass needs from ingest's answer: the outcome string (read only)."""

    @property
    def outcome(self) -> str:
        """What became of the mail: new_incident, reply, duplicate, quarantined ..."""


Ingest = Callable[[bytes, str], IngestResultLike]


@dataclass
class Summary:
    """What an import or a pass over the inbox did, message by message, and what it left
    waiting: messages that failed, and in IMAP those a stop request left unfetched."""

    fetched: int = 0
    new_incidents: int = 0
    replies: int = 0
    follow_ups: int = 0
    flagged: int = 0
    bounces: int = 0
    ignored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed: int = 0
    unfetched: int = 0
    unreadable: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    nothing_read: list[str] = field(default_factory=list)  # paths that held no message

    def ingest(self, apply: Ingest, raw: bytes, source: str) -> str | None:
        """Apply one message in a SAVEPOINT and count its outcome; None when it failed and
        is left for the next pass (failures.fate decides: errors that stop the pass
        propagate)."""
        try:
            with db.session.begin_nested():
                outcome = apply(raw, source).outcome
        except Exception as error:
            if failures.fate(error, applying=False) == failures.STOP:
                raise
            self.fetched += 1
            self.failed += 1
            log.exception("Ingest failed for %s; the message is left for the next pass", source)
            return None
        self.count(outcome)
        return outcome

    @property
    def waiting(self) -> int:
        """Messages still in the inbox after the pass."""
        return self.failed + self.unfetched

    def count(self, outcome: str) -> None:
        """Count one ingested message by its outcome."""
        self.fetched += 1
        name = COUNTERS[outcome]
        setattr(self, name, getattr(self, name) + 1)

    def line(self) -> str:
        """One line for the CLI and the gateway's log."""
        parts = [f"fetched {self.fetched}"]
        parts += [f"{label} {getattr(self, name)}" for name, label in LABELS.items()]
        if self.failed:
            parts.append(f"failed {self.failed}")
        if self.skipped:
            reasons = Counter(reason for _path, reason in self.skipped)
            why = ", ".join(f"{reason} {count}" for reason, count in reasons.items())
            parts.append(f"skipped {len(self.skipped)} ({why})")
        if self.unreadable:
            parts.append(f"unreadable {len(self.unreadable)}")
        return ", ".join(parts)

    def skip(self, path: Path, reason: str) -> None:
        """Note a file or folder passed over, and why (one of SKIP_REASONS)."""
        self.skipped.append((str(path), reason))

    def cannot_read(self, path: Path, error: OSError | mailbox.Error) -> None:
        """Note a path whose listing or bytes could not be read."""
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        self.unreadable.append(f"{path}: {reason}")


# A message to import: where it came from, a reader for its bytes (None when another
# gateway took it from the drop folder meanwhile), and what to do once its commit is done
# (mark a Maildir message seen; nothing for files).
Item = tuple[str, Callable[[], bytes | None], Callable[[], None]]


def import_paths(
    paths: list[Path], summary: Summary | None = None, apply: Ingest = ingest
) -> Summary:
    """Ingest every message under the given paths; what cannot be read, or a path that
    held no message at all, is noted in the summary, never fatal."""
    summary = summary or Summary()
    for path in paths:
        found = _Counted(_items(path, summary))
        noted = len(summary.unreadable) + len(summary.skipped)
        _ingest_in_batches(iter(found), summary, apply)
        if not found.count and len(summary.unreadable) == noted:
            summary.nothing_read.append(_why_nothing(path, len(summary.skipped) > noted))
    return summary


def ingest_maildir(path: Path | str, include_seen: bool = False, apply: Ingest = ingest) -> Summary:
    """Ingest a Maildir's messages (by default only those not yet seen), marking each seen;
    one that fails stays unseen, for the next pass. A missing folder raises
    maildir.DropFolderMissing, naming it."""
    summary = Summary()
    folder = Path(path)
    maildir.require_maildir(folder)
    _ingest_in_batches(_maildir_items(folder, include_seen), summary, apply)
    return summary


def _ingest_in_batches(items: Iterator[Item], summary: Summary, apply: Ingest) -> None:
    """Ingest messages IMAP_BATCH_SIZE at a time, each batch in one transaction (a SAVEPOINT
    per mail, as the IMAP poller does), marking them done only after the batch commits.

    Each message is read and ingested before the next is taken from `items`, so a source
    that closes when it runs out (an mbox) is never read after its end.
    """
    size = settings().mail.batch_size
    while True:
        with transaction():
            done = [_ingest_item(item, summary, apply) for item in itertools.islice(items, size)]
        for finish in done:
            finish()
        if len(done) < size:
            return


def _ingest_item(item: Item, summary: Summary, apply: Ingest) -> Callable[[], None]:
    """Read one message and ingest it; return what marks it done once its batch commits
    (nothing for one that failed, or that another gateway took: it stays as it was)."""
    source, read, done = item
    try:
        raw = read()
    except OSError as error:
        summary.cannot_read(Path(source), error)
        return _nothing
    if raw is None:
        return _nothing
    return done if summary.ingest(apply, raw, source) is not None else _nothing


class _Counted:
    """Iterate over items, counting them: a path that yielded none held no message."""

    def __init__(self, items: Iterator[Item]) -> None:
        """Wrap `items`."""
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[Item]:
        """Yield the items, counting each."""
        for item in self.items:
            self.count += 1
            yield item


def _why_nothing(path: Path, skipped_some: bool) -> str:
    """Say why nothing was read from a path that could be listed."""
    if skipped_some:
        return f"{path}: everything in it was skipped"
    return f"{path}: it holds no message"


def _items(path: Path, summary: Summary) -> Iterator[Item]:
    """The messages under a path: a Maildir, a folder (read at any depth), an mbox or one
    message file; what cannot be read is noted in the summary and the rest still read."""
    try:
        if path.is_dir():
            yield from _folder_items(path, summary)
        else:
            yield from _file_items(path, summary)
    except (OSError, mailbox.Error) as error:
        summary.cannot_read(path, error)


def _folder_items(folder: Path, summary: Summary) -> Iterator[Item]:
    """A Maildir's messages, or every file under a folder, in name order at each level."""
    if maildir.is_maildir(folder):
        yield from _maildir_items(folder, include_seen=True)
        return
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
        child = Path(entry.path)
        if entry.name.startswith("."):
            summary.skip(child, HIDDEN)
        elif entry.is_symlink() and entry.is_dir():
            summary.skip(child, FOLDER_LINK)  # it could lead back up: a loop
        else:
            yield from _items(child, summary)


def _file_items(path: Path, summary: Summary) -> Iterator[Item]:
    """The messages of an mbox file, or the file as one message, whatever its name."""
    if path.stat().st_size == 0:
        summary.skip(path, EMPTY)
    elif _is_mbox(path):
        yield from _mbox_items(path)
    else:
        yield str(path), path.read_bytes, _nothing


def _nothing() -> None:
    """Files and mbox messages stay where they are."""


def _is_mbox(path: Path) -> bool:
    """An mbox starts with a "From " separator line; a single message never does."""
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _mbox_items(path: Path) -> Iterator[Item]:
    """The messages of an mbox file, without their "From " separator lines."""
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.keys(), start=1):
            yield f"{path}#{number}", partial(box.get_bytes, key), _nothing
    finally:
        box.close()


def _maildir_items(folder: Path, include_seen: bool) -> Iterator[Item]:
    """A Maildir's messages, oldest delivery first, each moved to cur/ as seen when done."""
    for relative in maildir.waiting(folder, include_seen):
        yield (
            str(folder / relative),
            partial(maildir.read, folder, relative),
            partial(maildir.mark_seen, folder, relative),
        )
