"""The rules a change's windows follow, as plain functions: both ends of the planned
window, each window ending after it starts, and no actual time in the future."""

from __future__ import annotations

from datetime import datetime

from helpdesk.core.errors import InvalidInput


def check_planned(start: datetime | None, end: datetime | None) -> None:
    """Refuse a planned window without both ends, or one that ends before it starts: the
    incident page matches changes to incidents by their window, so it must be one."""
    if start is None or end is None:
        raise InvalidInput("Give the planned window: when the change starts and when it ends.")
    if end <= start:
        raise InvalidInput("The planned end must be after the planned start.")


def check_actual(start: datetime | None, end: datetime | None, now: datetime) -> None:
    """Refuse an actual window that has not happened yet, ends without a start, or ends
    before it starts."""
    if end is not None and start is None:
        raise InvalidInput("A change cannot have ended without having started.")
    if start is not None and start > now:
        raise InvalidInput("The actual start cannot be in the future.")
    if end is not None and end > now:
        raise InvalidInput("The actual end cannot be in the future.")
    if start is not None and end is not None and end <= start:
        raise InvalidInput("The actual end must be after the actual start.")
