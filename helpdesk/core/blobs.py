"""The blob store: file bytes under the instance's attachment folder, content-addressed by
SHA-256, so the same bytes are stored once and never under a name a sender chose. Attachments
and stored original emails live here."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpdesk.core.durable import write_durably
from helpdesk.core.settings import settings


def store_root() -> Path:
    """The folder that holds every blob."""
    return settings().folders.attachments


def write_blob(data: bytes) -> tuple[str, str]:
    """Write bytes once per content hash; return (sha256, path relative to the store)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(digest[:2]) / digest
    target = store_root() / relative
    if not target.exists():
        write_durably(target, data)
    return digest, str(relative)


def blob_file(relative: str) -> Path:
    """Where the blob stored under `relative` lives on disk."""
    return store_root() / relative
