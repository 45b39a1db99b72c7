"""Shared column helpers for the models."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime.

    Times are stored naive-in-UTC so SQLite and PostgreSQL hold identical values;
    the web layer converts for display.
    """
    return datetime.now(UTC).replace(tzinfo=None)
