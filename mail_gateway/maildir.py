"""The Maildir drop folder: its layout, the messages waiting in it, and marking them seen.

Several gateways may share one drop folder. Between one listing the folder and reading or
moving a message, another may have taken it (renamed it into cur/): that message is
skipped quietly, since whoever took it records it in the database, which counts every
mail once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from mail_gateway.imap_settings import GatewayError

SUBFOLDERS = ("new", "cur", "tmp")
SEEN = "S"  # the Maildir "seen" flag
COLON = ":"  # separates a Maildir file's unique name from its flags


class DropFolderMissing(GatewayError):
    """The drop folder, or one of its new/, cur/ and tmp/, is not there."""


def make_maildir(folder: Path) -> None:
    """Create the folder with its new/, cur/ and tmp/ (what `helpdesk init` does)."""
    for sub in SUBFOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)


def require_maildir(folder: Path) -> None:
    """Raise DropFolderMissing naming the first missing part of the drop folder."""
    for sub in SUBFOLDERS:
        if not (folder / sub).is_dir():
            raise DropFolderMissing(
                f"the mail drop folder {folder / sub} does not exist; "
                "`helpdesk init` creates it (new/, cur/ and tmp/)"
            )


def is_maildir(folder: Path) -> bool:
    """Tell whether a folder is laid out as a Maildir (it has new/ and cur/)."""
    return (folder / "new").is_dir() and (folder / "cur").is_dir()


def waiting(folder: Path, include_seen: bool) -> list[str]:
    """The messages as "new/<name>" or "cur/<name>", oldest delivery first; without
    `include_seen`, only those not marked seen."""
    names = [name for name in _listing(folder) if include_seen or not _is_seen(name)]
    return sorted(names, key=lambda name: name.split("/", 1)[1])


def read(folder: Path, relative: str) -> bytes | None:
    """A message's bytes, or None when another gateway took it since the listing."""
    try:
        return (folder / relative).read_bytes()
    except FileNotFoundError:
        return None


def mark_seen(folder: Path, relative: str) -> None:
    """Rename the message into cur/ with the S flag (flags stay sorted); a message that
    another gateway moved meanwhile is already done.

    The file is renamed directly, as the Maildir convention intends: mailbox.Maildir would
    rewrite the whole message to change a flag, and keeps the bytes less exact.
    """
    unique, _, info = relative.split("/", 1)[1].partition(COLON)
    flags = set(info[2:]) if info.startswith("2,") else set()
    target = folder / "cur" / f"{unique}{COLON}2,{''.join(sorted(flags | {SEEN}))}"
    with contextlib.suppress(FileNotFoundError):
        os.replace(folder / relative, target)


def _listing(folder: Path) -> Iterator[str]:
    """Message file names under new/ and cur/, as "new/<name>" or "cur/<name>"."""
    for sub in ("new", "cur"):
        for entry in os.scandir(folder / sub):
            if not entry.name.startswith(".") and entry.is_file():
                yield f"{sub}/{entry.name}"


def _is_seen(relative: str) -> bool:
    """Tell whether a Maildir file in cur/ carries the seen flag ("<unique>:2,<flags>")."""
    info = relative.partition(COLON)[2]
    return relative.startswith("cur/") and info.startswith("2,") and SEEN in info[2:]
