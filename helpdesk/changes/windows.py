"""The rules a change's windows follow, as plain functions: both ends of the planned
window, each window ending after it starts, no actual time in the future, and every time
within years any clock can show (a mistyped year 1 or 9999 would overflow a time zone)."""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk.core.errors import InvalidInput

EARLIEST, LATEST = datetime(1970, 1, 1), datetime(9000, 1, 1)
OUT_OF_RANGE = "Times must fall between the years 1970 and 8999."


def in_utc(moment: datetime | None) -> datetime | None:
    """A time as the naive UTC the database keeps (a naive one is taken as UTC already);
    one a time zone cannot carry over is refused."""
    if moment is None or moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise InvalidInput(OUT_OF_RANGE) from None


def check_in_range(*moments: datetime | None) -> None:
    """Refuse a time before 1970 or after 8999 (a typing slip, not a change)."""
    if any(m is not None and not EARLIEST <= m < LATEST for m in moments):
        raise InvalidInput(OUT_OF_RANGE)


def check_planned(start: datetime | None, end: datetime | None) -> None:
    """Refuse a planned window without both ends, or one that ends before it starts: the
    incident page matches changes to incidents by their window, so it must be one."""
    if start is None or end is None:
        raise InvalidInput("Give the planned window: when the change starts and when it ends.")
    check_in_range(start, end)
    if end <= start:
        raise InvalidInput("The planned end must be after the planned start.")


def check_actual(start: datetime | None, end: datetime | None, now: datetime) -> None:
    """Refuse an actual window that has not happened yet, ends without a start, or ends
    before it starts."""
    check_in_range(start, end)
    if end is not None and start is None:
        raise InvalidInput("A change cannot have ended without having started.")
    if start is not None and start > now:
        raise InvalidInput("The actual start cannot be in the future.")
    if end is not None and end > now:
        raise InvalidInput("The actual end cannot be in the future.")
    if start is not None and end is not None and end <= start:
        raise InvalidInput("The actual end must be after the actual start.")
