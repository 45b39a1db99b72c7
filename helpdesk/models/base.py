"""Shared column helpers for the models, and the one clock everything reads.

`utcnow()` is the time for every service, model default and scheduler pass. Tests replace
where it reads the time with `frozen_time` (or the `clock` fixture built on it), so a
test can open an incident on a Friday afternoon and check the SLA clock on Monday without
sleeping; production never sets it and reads the system time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


def system_time() -> datetime:
    """The system's current UTC time as a naive datetime."""
    return datetime.now(UTC).replace(tzinfo=None)


# Where utcnow() reads the time; only frozen_time changes it.
_source: Callable[[], datetime] = system_time


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime.

    Times are stored naive-in-UTC so SQLite and PostgreSQL hold identical values;
    the web layer converts for display.
    """
    return _source()


@contextmanager
def frozen_time(source: Callable[[], datetime]) -> Iterator[None]:
    """Make utcnow() return what `source` says inside the block (for tests: a clock they
    set and advance by hand), and the system time again after it."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
