"""What the long-running processes (the mail gateway, the worker) share: which errors mean
the database is gone (wait and retry, never act on a half-read state), how to name an error
without secrets, exponential backoff between retries, and stopping cleanly on a signal."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

# The database itself: stop the pass and retry later.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 300.0

log = logging.getLogger(__name__)


def error_text(error: BaseException) -> str:
    """A short, secret-free description of a network or protocol error."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, DATABASE_ERRORS):  # without the SQL and its parameters
        return f"database error: {getattr(error, 'orig', None) or type(error).__name__}"
    return str(error) or type(error).__name__


class Backoff:
    """Exponential delays between reconnects: 1 s, 2 s, 4 s ... up to the cap."""

    def __init__(self, first: float = BACKOFF_FIRST_SECONDS, cap: float = BACKOFF_CAP_SECONDS):
        """Start at `first` seconds."""
        self.first = first
        self.cap = cap
        self.delay = first

    def next(self) -> float:
        """The delay to wait now; the following one is twice as long (capped)."""
        delay = self.delay
        self.delay = min(self.delay * 2, self.cap)
        return delay

    def reset(self) -> None:
        """After a success, start from the first delay again."""
        self.delay = self.first


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn the first SIGTERM/SIGINT into `stop`; a second one acts as usual (kills)."""
    previous: dict[int, Any] = {}

    def handler(signum: int, _frame: Any) -> None:
        log.info("Got %s: stopping after the work in hand", signal.Signals(signum).name)
        stop.set()
        for number, old in previous.items():
            signal.signal(number, old)

    for number in (signal.SIGTERM, signal.SIGINT):
        previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
