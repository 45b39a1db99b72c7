"""Redirect safety: only same-site relative paths are followed after login."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a local path like /my/incidents, else None.

    Rejects absolute URLs, scheme-relative //host paths and backslash tricks that some
    browsers read as a host.
    """
    if not target:
        return None
    if "\\" in target or any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
