"""Files that must be on disk before the database commit that refers to them: stored
originals, attachments and the embedded transport's .eml files.

Each is written atomically (a reader never sees half of it), then fsynced, with the folder
holding its rename, just before the session's next commit: one pass per transaction, so a
batch of mails pays for the disk flush once rather than once per file. Without it a power
cut could leave a committed row naming a file the kernel had not written yet, after the
mail itself had been moved out of the inbox.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.extensions import db

UNSYNCED = "helpdesk.unsynced_files"


def write_durably(target: Path, data: bytes) -> None:
    """Write `target` atomically; it is fsynced before the session's next commit."""
    write_atomically(target, data)
    db.session.info.setdefault(UNSYNCED, set()).add(target)


def write_atomically(target: Path, data: bytes) -> None:
    """Write the bytes under a temporary name of this writer's own, then rename it over
    `target`. Several gateways store the same mail's blob at once (same content, same name):
    a shared temporary name let one rename away the file another was about to rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def sync_written_files(session: Session) -> None:
    """Flush every file written for this transaction to disk, then the folders of their
    renames (a file may have been written in a part that was rolled back: syncing it anyway
    costs little and is never wrong)."""
    if session.in_nested_transaction():
        return  # releasing a SAVEPOINT commits nothing yet: wait for the real commit
    paths: set[Path] = session.info.pop(UNSYNCED, set())
    for path in sorted(paths):
        _fsync(path)
    for folder in sorted({path.parent for path in paths}):
        _fsync(folder)


def _fsync(path: Path) -> None:
    """fsync a file or a folder by path (a vanished one has nothing left to flush)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def install() -> None:
    """Listen on the app's session factory (once, however often this is called)."""
    if not event.contains(db.session, "before_commit", sync_written_files):
        event.listen(db.session, "before_commit", sync_written_files)


install()
