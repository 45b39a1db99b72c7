"""Working calendars: which instants count towards an SLA target, as pure functions.

Every instant at this interface is a naive datetime in UTC (the database's convention); a
calendar reads it in its own time zone, so a Berlin service desk's 09:00 is 09:00 in Berlin
whatever the server's zone. Working windows are local wall-clock times, and each counts the
real time that passes between the instants its start and end name:

- a window that does not contain a clock change lasts what the wall clock says, so
  09:00-17:00 counts eight hours on the days the clocks change too;
- a window that contains one counts real time: 00:00-24:00 is 23 hours on the spring day
  and 25 on the autumn day in Europe/Berlin, because that is how long the desk was open;
- a wall time skipped in spring stands for the moment the clocks jump past it, and a wall
  time repeated in autumn for its first occurrence. Both keep later wall times at later (or
  equal) instants, so consecutive windows never overlap and none has a negative length.

An end of 00:00 (`time(0)`) means 24:00, the end of the day; a day is assumed to see at
most one change of UTC offset (true of every zone in use).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_tables

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPEC_FIELDS = frozenset({"timezone", "hours", "holidays", "country", "subdivision"})
MIDNIGHT = time(0)
ZERO = timedelta(0)
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
TICK = timedelta(microseconds=1)
WINDOW_TEXT = re.compile(r"(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})")

Window = tuple[time, time]


class CalendarError(ValueError):
    """A calendar that cannot be used: a bad spec, or no working time to count at all."""


class Clock(Protocol):
    """What an SLA target is counted on: a working calendar, or every second."""

    def counted(self, start: datetime, end: datetime) -> timedelta:
        """Time this clock counts between two instants (zero when end <= start)."""
        ...

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The first instant at which `amount` has been counted since `start` (start itself
        for a zero amount)."""
        ...


@dataclass(frozen=True)
class AroundTheClock:
    """Counts every second: the clock of 24x7 targets, which ignore calendars."""

    def counted(self, start: datetime, end: datetime) -> timedelta:
        """Elapsed time, never negative."""
        return max(end - start, ZERO)

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """`start` plus `amount`."""
        _check_amount(amount)
        return start + amount


@dataclass(frozen=True)
class WorkingCalendar:
    """Counts only inside working windows, in its own time zone, skipping holidays.

    `hours` maps a weekday (0 = Monday) to its windows, sorted and non-overlapping; a
    missing weekday has none. `holidays` are local dates; `country` (and `subdivision`)
    add that country's public holidays from the `holidays` package.
    """

    timezone: str
    hours: Mapping[int, tuple[Window, ...]]
    holidays: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None

    def __post_init__(self) -> None:
        """Refuse a calendar that would count wrongly, so no clock runs on one."""
        _zone(self.timezone)
        for weekday, windows in self.hours.items():
            _check_windows(weekday, windows)
        _check_country(self.country, self.subdivision)

    def counted(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants: partial first and last days, whole days between."""
        if end <= start:
            return ZERO
        first, last = self._day_of(start), self._day_of(end)
        if first == last:
            return self._overlap(first, start, end)
        return (
            self._overlap(first, start, end)
            + self._days_total(first + DAY, last)
            + self._overlap(last, start, end)
        )

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The instant `amount` of working time after `start`, skipping whole weeks at once."""
        _check_amount(amount)
        if not amount:
            return start
        if not self._week:
            raise CalendarError("the calendar has no working hours, so no time is ever counted")
        day = self._day_of(start)
        rest_of_day = self._overlap(day, start, datetime.max)
        if amount <= rest_of_day:
            return self._reach(day, start, amount)
        day, remaining = self._skip_weeks(day + DAY, amount - rest_of_day)
        day, remaining = self._skip_days(day, remaining)
        return self._reach(day, start, remaining)

    @cached_property
    def _zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    @cached_property
    def working_day(self) -> timedelta:
        """The length of a typical working day, for saying time in days: the most common
        total among the weekdays that have working hours (the longer on a tie), zero if none."""
        totals = Counter(total for total in self._nominal if total)
        return max(totals, key=lambda total: (totals[total], total), default=ZERO)

    @cached_property
    def _nominal(self) -> tuple[timedelta, ...]:
        """Wall-clock working time per weekday: a day without holiday or clock change."""
        return tuple(
            sum((_length(window) for window in self.hours.get(weekday, ())), ZERO)
            for weekday in range(7)
        )

    @cached_property
    def _week(self) -> timedelta:
        return sum(self._nominal, ZERO)

    def _is_holiday(self, day: date) -> bool:
        if day in self.holidays:
            return True
        return self.country is not None and day in _public_holidays(
            self.country, self.subdivision, day.year
        )

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working windows as UTC instants (none on a holiday)."""
        if self._is_holiday(day):
            return []
        return [
            (self._utc(datetime.combine(day, begin)), self._utc(_wall_end(day, end)))
            for begin, end in self.hours.get(day.weekday(), ())
        ]

    def _utc(self, wall: datetime) -> datetime:
        return _to_utc(wall, self._zone)

    def _day_of(self, instant: datetime) -> date:
        """The local day whose midnights enclose `instant`: its windows are the ones that can
        contain it (the local date, corrected where the clocks go back across midnight)."""
        day = instant.replace(tzinfo=UTC).astimezone(self._zone).date()
        while self._utc(datetime.combine(day, MIDNIGHT)) > instant:
            day -= DAY
        while self._utc(datetime.combine(day + DAY, MIDNIGHT)) <= instant:
            day += DAY
        return day

    def _overlap(self, day: date, start: datetime, end: datetime) -> timedelta:
        """Working time of one day that falls between `start` and `end`."""
        return sum(
            (max(ZERO, min(close, end) - max(open_, start)) for open_, close in self._windows(day)),
            ZERO,
        )

    def _day_total(self, day: date) -> timedelta:
        if self._is_holiday(day):
            return ZERO
        if day not in _clock_changes(self.timezone, day.year):
            return self._nominal[day.weekday()]
        return sum((close - open_ for open_, close in self._windows(day)), ZERO)

    def _days_total(self, first: date, last: date) -> timedelta:
        """Working time of the days from `first` up to (not including) `last`: whole weeks and
        weekdays by arithmetic, then corrected on the few holidays and clock-change days."""
        days = (last - first).days
        if days <= 0:
            return ZERO
        weeks, extra = divmod(days, 7)
        total = self._week * weeks + sum(
            (self._nominal[(first.weekday() + offset) % 7] for offset in range(extra)), ZERO
        )
        for day in self._exceptions(first, last):
            total += self._day_total(day) - self._nominal[day.weekday()]
        return total

    def _exceptions(self, first: date, last: date) -> set[date]:
        """Days from `first` up to `last` that may not count their wall-clock hours."""
        found = {day for day in self.holidays if first <= day < last}
        for year in range(first.year, (last - DAY).year + 1):
            candidates: Iterable[date] = _clock_changes(self.timezone, year)
            if self.country is not None:
                public = _public_holidays(self.country, self.subdivision, year)
                candidates = [*candidates, *public]
            found.update(day for day in candidates if first <= day < last)
        return found

    def _skip_weeks(self, day: date, remaining: timedelta) -> tuple[date, timedelta]:
        """Jump over whole weeks that end before `remaining` is used up, so a target of
        months costs as little as one of hours; halve the jump when holidays or a longer
        autumn day would overshoot."""
        weeks = remaining // self._week
        while weeks:
            end = day + WEEK * weeks
            counted = self._days_total(day, end)
            if counted < remaining:
                day, remaining = end, remaining - counted
                weeks = remaining // self._week
            else:
                weeks //= 2
        return day, remaining

    def _skip_days(self, day: date, remaining: timedelta) -> tuple[date, timedelta]:
        """Move to the day on which `remaining` is used up (under a week of working time)."""
        total = self._day_total(day)
        while remaining > total:
            remaining -= total
            day += DAY
            total = self._day_total(day)
        return day, remaining

    def _reach(self, day: date, start: datetime, remaining: timedelta) -> datetime:
        """The instant within `day`, not before `start`, at which `remaining` is counted."""
        for open_, close in self._windows(day):
            begin = max(open_, start)
            if close > begin:
                if remaining <= close - begin:
                    return begin + remaining
                remaining -= close - begin
        raise AssertionError(f"{day} has less working time than the search found")


def parse_calendar(spec: Mapping[str, Any]) -> WorkingCalendar:
    """From {"timezone": "Europe/Berlin", "hours": {"mon": ["09:00-12:00", "13:00-17:00"], ...,
    "sun": []}, "holidays": ["2026-12-25"], "country": "DE", "subdivision": "BY"}; missing
    weekdays have no hours. Raises CalendarError naming the bad value, because admins write
    these by hand (TOML, the simulator's JSON) and must be told what to fix."""
    unknown = sorted(set(spec) - SPEC_FIELDS)
    if unknown:
        raise CalendarError(f"unknown calendar field {unknown[0]!r}")
    timezone = spec.get("timezone")
    if not isinstance(timezone, str):
        raise CalendarError("timezone: an IANA time zone name such as 'Europe/Berlin' is required")
    if "hours" not in spec:
        raise CalendarError("hours: required, e.g. {'mon': ['09:00-17:00']}")
    return WorkingCalendar(
        timezone=timezone,
        hours=_parse_hours(spec["hours"]),
        holidays=_parse_holidays(spec.get("holidays", [])),
        country=_optional_text(spec, "country"),
        subdivision=_optional_text(spec, "subdivision"),
    )


def _parse_hours(value: object) -> dict[int, tuple[Window, ...]]:
    if not isinstance(value, Mapping):
        raise CalendarError("hours: must map weekdays (mon ... sun) to lists of windows")
    hours = {}
    for name, windows in value.items():
        if name not in WEEKDAYS:
            raise CalendarError(f"hours: unknown weekday {name!r} (use {', '.join(WEEKDAYS)})")
        if isinstance(windows, str) or not isinstance(windows, list | tuple):
            raise CalendarError(f"hours.{name}: must be a list of windows such as '09:00-17:00'")
        parsed = [
            _parse_window(f"hours.{name}[{index}]", text) for index, text in enumerate(windows)
        ]
        hours[WEEKDAYS.index(name)] = tuple(sorted(parsed))
    return hours


def _parse_window(where: str, text: object) -> Window:
    """'09:00-17:00' as two times; '24:00' ends a day (stored as 00:00, see the module)."""
    match = WINDOW_TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise CalendarError(f"{where}: {text!r} is not a window of the form HH:MM-HH:MM")
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    start_ok = start_hour < 24 and start_minute < 60
    end_ok = end_minute < 60 and (end_hour < 24 or (end_hour, end_minute) == (24, 0))
    if not (start_ok and end_ok):
        raise CalendarError(f"{where}: {text!r} is not a time of day (00:00 to 24:00)")
    if (end_hour, end_minute) <= (start_hour, start_minute):
        raise CalendarError(f"{where}: {text!r} ends before it starts (write 24:00 for midnight)")
    return time(start_hour, start_minute), time(end_hour % 24, end_minute)


def _parse_holidays(value: object) -> frozenset[date]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise CalendarError("holidays: must be a list of dates such as '2026-12-25'")
    return frozenset(_parse_date(f"holidays[{index}]", item) for index, item in enumerate(value))


def _parse_date(where: str, value: object) -> date:
    """An ISO date; TOML's native dates are accepted as they are."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def _optional_text(spec: Mapping[str, Any], name: str) -> str | None:
    value = spec.get(name)
    if value is not None and not isinstance(value, str):
        raise CalendarError(f"{name}: must be text, not {value!r}")
    return value


def _check_amount(amount: timedelta) -> None:
    if amount < ZERO:
        raise ValueError(f"cannot count a negative amount of time ({amount})")


def _check_windows(weekday: int, windows: tuple[Window, ...]) -> None:
    """Sorted, non-overlapping windows of positive length; what the arithmetic relies on."""
    if weekday not in range(7):
        raise CalendarError(f"hours: unknown weekday {weekday!r} (0 = Monday ... 6 = Sunday)")
    name = WEEKDAYS[weekday]
    previous: Window | None = None
    for window in windows:
        if _length(window) <= ZERO:
            raise CalendarError(f"hours.{name}: {_show(window)} ends before it starts")
        if previous is not None and _end_offset(previous) > _start_offset(window):
            raise CalendarError(
                f"hours.{name}: {_show(previous)} and {_show(window)} overlap or are out of order"
            )
        previous = window


def _check_country(country: str | None, subdivision: str | None) -> None:
    if country is None:
        if subdivision is not None:
            raise CalendarError(f"subdivision: {subdivision!r} needs a country")
        return
    try:
        holiday_tables.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        where = f"{country!r}" if subdivision is None else f"{country!r}, {subdivision!r}"
        raise CalendarError(f"country: no public holidays are known for {where}") from None


def _start_offset(window: Window) -> timedelta:
    return datetime.combine(date.min, window[0]) - datetime.min


def _end_offset(window: Window) -> timedelta:
    end = window[1]
    return DAY if end == MIDNIGHT else datetime.combine(date.min, end) - datetime.min


def _length(window: Window) -> timedelta:
    return _end_offset(window) - _start_offset(window)


def _show(window: Window) -> str:
    end = "24:00" if window[1] == MIDNIGHT else window[1].strftime("%H:%M")
    return f"{window[0].strftime('%H:%M')}-{end}"


def _wall_end(day: date, end: time) -> datetime:
    return datetime.combine(day + DAY if end == MIDNIGHT else day, end)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"timezone: unknown time zone {name!r}") from None


def _to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant a local wall time names: its first occurrence in a repeated hour, and the
    moment the clocks jump for a skipped one (see the module). Only days near a clock change
    can hold a skipped time, so the others take one offset lookup."""
    offset = zone.utcoffset(wall)
    if offset is None:
        raise AssertionError(f"{zone} gives {wall} no UTC offset")
    instant = wall - offset
    if wall.date() not in _clock_changes(zone.key, wall.year):
        return instant
    if instant.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(tzinfo=None)
    return _clocks_jump(min(before, instant), max(before, instant), zone)


def _clocks_jump(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant in (before, after] at which the zone's UTC offset changes, by bisection:
    zoneinfo lists no transitions, and this runs only for wall times in a spring gap."""
    changed = _offset(after, zone)
    while after - before > TICK:
        middle = before + (after - before) // 2
        if _offset(middle, zone) == changed:
            after = middle
        else:
            before = middle
    return after


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta | None:
    return instant.replace(tzinfo=UTC).astimezone(zone).utcoffset()


@lru_cache(maxsize=1024)
def _clock_changes(timezone: str, year: int) -> frozenset[date]:
    """Local dates around the year's changes of UTC offset: the only days whose windows may
    last longer or shorter than the wall clock says. A change is found between two midnights;
    the days either side are included, for a change that moves the clocks across midnight."""
    zone = _zone(timezone)
    first = datetime(year, 1, 1) - DAY
    midnights = [
        first + DAY * index for index in range((date(year, 12, 31) - first.date()).days + 3)
    ]
    offsets = [zone.utcoffset(midnight) for midnight in midnights]
    return frozenset(
        midnight.date() + DAY * shift
        for midnight, today, tomorrow in zip(midnights, offsets, offsets[1:], strict=False)
        if today != tomorrow
        for shift in (-1, 0, 1)
    )


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holiday_tables.country_holidays(country, subdiv=subdivision, years=year))
