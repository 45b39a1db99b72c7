"""Domain events: a service says what happened; the parts that care subscribe.

A service publishes an event inside its unit of work and the subscribers run at once, in
the same transaction, so whatever they write (an outbox row) commits or rolls back with
the change that caused it. After the outermost commit, the unit of work runs the
after-commit hooks (handing the mail it queued to the file transport, for one).

This is how the house keeps its imports pointing down: the incident service does not
import notifications, notifications import the service's events. `create_app`, the
composition root, has each subscriber register its handlers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

Event = TypeVar("Event")
Handler = Callable[[Any], None]

_handlers: defaultdict[type, list[Handler]] = defaultdict(list)
_after_commit: list[Callable[[], None]] = []


def subscribe(event_type: type[Event], handler: Callable[[Event], None]) -> None:
    """Run `handler` whenever an event of `event_type` is published (once, however often
    the same pair is subscribed: every app the process creates subscribes again)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(event: object) -> None:
    """Run every subscriber of the event's type, in the order they subscribed."""
    for handler in _handlers.get(type(event), ()):
        handler(event)


def after_commit(hook: Callable[[], None]) -> None:
    """Run `hook` after each outermost commit of a unit of work (once per hook)."""
    if hook not in _after_commit:
        _after_commit.append(hook)


def committed() -> None:
    """Run the after-commit hooks (the unit of work calls this once it has committed)."""
    for hook in _after_commit:
        hook()
