"""`helpdesk mail import PATH...`: ingest .eml files, mbox files and Maildir folders.

Every message goes through the same pipeline as mail fetched over IMAP, so an import is
deduplicated against what the gateway already took in and can be run again safely. The
embedded inbound transport (a Maildir drop folder) is drained by `ingest_maildir`.
"""

from __future__ import annotations

import itertools
import logging
import mailbox
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.extensions import db
from helpdesk.incidents.unit import transaction
from mail_gateway.failures import DATABASE_ERRORS, NETWORK_ERRORS
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
SEEN = "S"  # the Maildir "seen" flag
COLON = ":"  # separates a Maildir file's unique name from its flags

log = logging.getLogger(__name__)


class IngestResultLike(Protocol):
    """What a pass needs from ingest's answer: the outcome string."""

    outcome: str


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

    def ingest(self, apply: Ingest, raw: bytes, source: str) -> str | None:
        """Apply one message in a SAVEPOINT and count its outcome; None when it failed.

        Database and network errors propagate (the pass stops, nothing is skipped). Any
        other error is a bug for that one message (see failures.py): it is logged and its
        work undone, and the message is left for the next pass.
        """
        try:
            with db.session.begin_nested():
                outcome = apply(raw, source).outcome
        except (*DATABASE_ERRORS, *NETWORK_ERRORS):
            raise
        except Exception:
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
        if self.unreadable:
            parts.append(f"unreadable {len(self.unreadable)}")
        return ", ".join(parts)


# A message to import: where it came from, a reader for its bytes, and what to do once
# its commit is done (mark a Maildir message seen; nothing for files).
Item = tuple[str, Callable[[], bytes], Callable[[], None]]


def import_paths(
    paths: list[Path], summary: Summary | None = None, apply: Ingest = ingest
) -> Summary:
    """Ingest every message under the given paths; unreadable ones are listed, not fatal."""
    summary = summary or Summary()
    for path in paths:
        _ingest_in_batches(_readable_items(path, summary), summary, apply)
    return summary


def ingest_maildir(path: Path | str, include_seen: bool = False, apply: Ingest = ingest) -> Summary:
    """Ingest a Maildir's messages (by default only those not yet seen), marking each seen;
    one that fails stays unseen, for the next pass."""
    summary = Summary()
    folder = Path(path)
    if (folder / "new").is_dir():  # else nobody has delivered to the drop folder yet
        _ingest_in_batches(_maildir_items(folder, include_seen), summary, apply)
    return summary


def _ingest_in_batches(items: Iterator[Item], summary: Summary, apply: Ingest) -> None:
    """Ingest messages IMAP_BATCH_SIZE at a time, each batch in one transaction (a SAVEPOINT
    per mail, as the IMAP poller does), marking them done only after the batch commits.

    Each message is read and ingested before the next is taken from `items`, so a source
    that closes when it runs out (an mbox) is never read after its end.
    """
    size = max(1, int(current_app.config["IMAP_BATCH_SIZE"]))
    while True:
        with transaction():
            done = [_ingest_item(item, summary, apply) for item in itertools.islice(items, size)]
        for finish in done:
            finish()
        if len(done) < size:
            return


def _readable_items(path: Path, summary: Summary) -> Iterator[Item]:
    """The messages under a path; a path that cannot be read is noted in the summary."""
    try:
        yield from _items(path)
    except (OSError, mailbox.Error) as error:
        summary.unreadable.append(f"{path}: {error}")


def _ingest_item(item: Item, summary: Summary, apply: Ingest) -> Callable[[], None]:
    """Read one message and ingest it; return what marks it done once its batch commits
    (nothing for one that failed: it stays as it was)."""
    source, read, done = item
    try:
        raw = read()
    except OSError as error:
        summary.unreadable.append(f"{source}: {error}")
        return _nothing
    return done if summary.ingest(apply, raw, source) is not None else _nothing


def _items(path: Path) -> Iterator[Item]:
    """The messages in a path: a Maildir, a folder of .eml files, an mbox or one .eml."""
    if path.is_dir():
        if (path / "new").is_dir() and (path / "cur").is_dir():
            yield from _maildir_items(path, include_seen=True)
        else:
            for child in sorted(path.glob("*.eml")):
                yield _file_item(child)
    elif _is_mbox(path):
        yield from _mbox_items(path)
    else:
        yield _file_item(path)


def _file_item(path: Path) -> Item:
    """One .eml file, left in place after import."""
    return str(path), path.read_bytes, _nothing


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
            yield f"{path}#{number}", _reader(box, key), _nothing
    finally:
        box.close()


def _reader(box: mailbox.mbox, key: str) -> Callable[[], bytes]:
    """Read one mbox message's bytes when asked."""
    return lambda: box.get_bytes(key)


def _maildir_items(folder: Path, include_seen: bool) -> Iterator[Item]:
    """A Maildir's messages, oldest delivery first, each moved to cur/ as seen when done.

    The files are renamed directly, as the Maildir convention intends: mailbox.Maildir
    would rewrite the whole message to change a flag, and keeps the bytes less exact.
    """
    for relative in sorted(_listing(folder), key=lambda name: name.split("/", 1)[1]):
        if include_seen or not _is_seen(relative):
            path = folder / relative
            yield str(path), path.read_bytes, _marker(folder, relative)


def _listing(folder: Path) -> Iterator[str]:
    """Message file names under new/ and cur/, as "new/<name>" or "cur/<name>"."""
    for sub in ("new", "cur"):
        for entry in os.scandir(folder / sub):
            if entry.is_file() and not entry.name.startswith("."):
                yield f"{sub}/{entry.name}"


def _is_seen(relative: str) -> bool:
    """Tell whether a Maildir file in cur/ carries the seen flag ("<unique>:2,<flags>")."""
    info = relative.partition(COLON)[2]
    return relative.startswith("cur/") and info.startswith("2,") and SEEN in info[2:]


def _marker(folder: Path, relative: str) -> Callable[[], None]:
    """Build the step that moves a message to cur/ with the seen flag added."""

    def mark_seen() -> None:
        """Rename the message file into cur/ with the S flag (flags stay sorted)."""
        unique, _, info = relative.split("/", 1)[1].partition(COLON)
        flags = set(info[2:]) if info.startswith("2,") else set()
        target = folder / "cur" / f"{unique}{COLON}2,{''.join(sorted(flags | {SEEN}))}"
        os.replace(folder / relative, target)

    return mark_seen


@click.group("mail")
def mail_group() -> None:
    """Work with mail files."""


@mail_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Ingest .eml files, mbox files and Maildir folders, then print a summary."""
    from helpdesk.cli import require_schema

    require_schema()
    summary = Summary()
    try:
        import_paths(list(paths), summary)
    except DATABASE_ERRORS as error:
        click.echo(summary.line())
        raise click.ClickException(f"The database is unavailable: {error}") from error
    for problem in summary.unreadable:
        click.echo(f"Could not read {problem}", err=True)
    if summary.failed:
        click.echo(f"{summary.failed} could not be processed; see the log above.", err=True)
    click.echo(summary.line())
    if summary.unreadable or summary.failed:
        raise SystemExit(1)
