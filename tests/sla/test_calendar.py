"""Working calendars: hand-checked examples, then properties over random calendars.

Instants are written as local times with their UTC offset (checked by hand against the time
zone's rules) and turned into the naive UTC the interface takes, so an expected answer never
depends on the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpdesk.sla.calendar import AroundTheClock, CalendarError, WorkingCalendar, parse_calendar

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
EVERY_DAY = (*WORKDAYS, "sat", "sun")
HOUR = timedelta(hours=1)


def utc(text: str) -> datetime:
    """An ISO time with its offset, as the naive UTC instant the calendars take."""
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def calendar(
    timezone: str, windows: list[str], days: tuple[str, ...] = WORKDAYS, **extra: object
) -> WorkingCalendar:
    """The same windows on each of `days`."""
    return parse_calendar({"timezone": timezone, "hours": dict.fromkeys(days, windows), **extra})


BERLIN_LUNCH = calendar("Europe/Berlin", ["09:00-12:00", "13:00-17:00"])
BERLIN_DAY = calendar("Europe/Berlin", ["09:00-17:00"], EVERY_DAY)
BERLIN_ALL_DAY = calendar("Europe/Berlin", ["00:00-24:00"], EVERY_DAY)
NEW_YORK_DAY = calendar("America/New_York", ["09:00-17:00"], EVERY_DAY)
NEW_YORK_ALL_DAY = calendar("America/New_York", ["00:00-24:00"], EVERY_DAY)


def test_the_lunch_break_is_skipped() -> None:
    monday_11 = utc("2026-12-07T11:00+01:00")
    assert BERLIN_LUNCH.add(monday_11, 2 * HOUR) == utc("2026-12-07T14:00+01:00")
    assert BERLIN_LUNCH.counted(utc("2026-12-07T11:30+01:00"), utc("2026-12-07T13:30+01:00")) == (
        HOUR
    )
    assert BERLIN_LUNCH.counted(utc("2026-12-07T08:00+01:00"), utc("2026-12-07T18:00+01:00")) == (
        7 * HOUR
    )


def test_a_start_in_the_lunch_break_waits_for_the_afternoon() -> None:
    start = utc("2026-12-07T12:20+01:00")
    assert BERLIN_LUNCH.add(start, 30 * timedelta(minutes=1)) == utc("2026-12-07T13:30+01:00")


def test_friday_afternoon_plus_two_hours_is_monday_morning() -> None:
    friday_16 = utc("2026-12-04T16:00+01:00")
    assert BERLIN_LUNCH.add(friday_16, 2 * HOUR) == utc("2026-12-07T10:00+01:00")
    assert BERLIN_LUNCH.counted(friday_16, utc("2026-12-07T10:00+01:00")) == 2 * HOUR


def test_ten_business_days_cross_two_weekends() -> None:
    monday_9 = utc("2026-12-07T09:00+01:00")
    assert BERLIN_LUNCH.add(monday_9, 70 * HOUR) == utc("2026-12-18T17:00+01:00")
    assert BERLIN_LUNCH.add(monday_9, 70 * HOUR + timedelta(microseconds=1)) == utc(
        "2026-12-21T09:00:00.000001+01:00"
    )


def test_a_given_holiday_is_skipped() -> None:
    closed_monday = calendar("Europe/Berlin", ["09:00-17:00"], holidays=["2026-12-07"])
    friday_16 = utc("2026-12-04T16:00+01:00")
    assert closed_monday.add(friday_16, 2 * HOUR) == utc("2026-12-08T10:00+01:00")
    assert closed_monday.counted(friday_16, utc("2026-12-08T10:00+01:00")) == 2 * HOUR


def test_a_countrys_public_holidays_are_skipped() -> None:
    christmas_eve_16 = utc("2026-12-24T16:00+01:00")
    german = calendar("Europe/Berlin", ["09:00-17:00"], EVERY_DAY, country="DE")
    assert german.add(christmas_eve_16, 2 * HOUR) == utc("2026-12-27T10:00+01:00")
    assert BERLIN_DAY.add(christmas_eve_16, 2 * HOUR) == utc("2026-12-25T10:00+01:00")


def test_a_regions_public_holidays_are_skipped() -> None:
    monday_16 = utc("2026-01-05T16:00+01:00")
    bavarian = calendar("Europe/Berlin", ["09:00-17:00"], country="DE", subdivision="BY")
    german = calendar("Europe/Berlin", ["09:00-17:00"], country="DE")
    assert bavarian.add(monday_16, 2 * HOUR) == utc("2026-01-07T10:00+01:00")
    assert german.add(monday_16, 2 * HOUR) == utc("2026-01-06T10:00+01:00")


@pytest.mark.parametrize(
    ("clock", "day_start", "next_day_start", "window_hours", "closes"),
    [
        (
            BERLIN_DAY,
            "2026-03-29T00:00+01:00",
            "2026-03-30T00:00+02:00",
            8,
            "2026-03-29T17:00+02:00",
        ),
        (
            BERLIN_DAY,
            "2026-10-25T00:00+02:00",
            "2026-10-26T00:00+01:00",
            8,
            "2026-10-25T17:00+01:00",
        ),
        (
            NEW_YORK_DAY,
            "2026-03-08T00:00-05:00",
            "2026-03-09T00:00-04:00",
            8,
            "2026-03-08T17:00-04:00",
        ),
        (
            NEW_YORK_DAY,
            "2026-11-01T00:00-04:00",
            "2026-11-02T00:00-05:00",
            8,
            "2026-11-01T17:00-05:00",
        ),
        (
            BERLIN_ALL_DAY,
            "2026-03-29T00:00+01:00",
            "2026-03-30T00:00+02:00",
            23,
            "2026-03-30T00:00+02:00",
        ),
        (
            BERLIN_ALL_DAY,
            "2026-10-25T00:00+02:00",
            "2026-10-26T00:00+01:00",
            25,
            "2026-10-26T00:00+01:00",
        ),
        (
            NEW_YORK_ALL_DAY,
            "2026-03-08T00:00-05:00",
            "2026-03-09T00:00-04:00",
            23,
            "2026-03-09T00:00-04:00",
        ),
        (
            NEW_YORK_ALL_DAY,
            "2026-11-01T00:00-04:00",
            "2026-11-02T00:00-05:00",
            25,
            "2026-11-02T00:00-05:00",
        ),
    ],
)
def test_the_days_the_clocks_change(
    clock: WorkingCalendar, day_start: str, next_day_start: str, window_hours: int, closes: str
) -> None:
    """09:00-17:00 is eight hours on a change day; 00:00-24:00 counts the real time (23 or 25
    hours), because that is how long the desk was open."""
    start, end = utc(day_start), utc(next_day_start)
    assert clock.counted(start, end) == window_hours * HOUR
    assert clock.add(start, window_hours * HOUR) == utc(closes)


@pytest.mark.parametrize(
    ("saturday_16", "sunday_10"),
    [
        ("2026-03-28T16:00+01:00", "2026-03-29T10:00+02:00"),
        ("2026-10-24T16:00+02:00", "2026-10-25T10:00+01:00"),
    ],
)
def test_a_target_carried_over_a_change_night_lands_at_the_same_wall_time(
    saturday_16: str, sunday_10: str
) -> None:
    assert BERLIN_DAY.add(utc(saturday_16), 2 * HOUR) == utc(sunday_10)


@pytest.mark.parametrize(
    ("zone", "friday_16", "monday_10"),
    [
        ("Europe/Berlin", "2026-03-27T16:00+01:00", "2026-03-30T10:00+02:00"),
        ("Europe/Berlin", "2026-10-23T16:00+02:00", "2026-10-26T10:00+01:00"),
        ("America/New_York", "2026-03-06T16:00-05:00", "2026-03-09T10:00-04:00"),
        ("America/New_York", "2026-10-30T16:00-04:00", "2026-11-02T10:00-05:00"),
    ],
)
def test_a_weekend_with_a_clock_change_is_skipped(
    zone: str, friday_16: str, monday_10: str
) -> None:
    assert calendar(zone, ["09:00-17:00"]).add(utc(friday_16), 2 * HOUR) == utc(monday_10)


def test_an_all_day_window_runs_through_the_spring_gap() -> None:
    """Twelve hours after local midnight is 13:00 on the wall: 02:00-03:00 never happened."""
    midnight = utc("2026-03-29T00:00+01:00")
    assert BERLIN_ALL_DAY.add(midnight, 12 * HOUR) == utc("2026-03-29T13:00+02:00")


def test_a_window_edge_in_the_spring_gap_is_the_moment_the_clocks_jump() -> None:
    odd = calendar("Europe/Berlin", ["02:30-03:30"], ("sun",))
    sunday = utc("2026-03-29T00:00+01:00"), utc("2026-03-30T00:00+02:00")
    assert odd.counted(*sunday) == timedelta(minutes=30)
    assert odd.add(sunday[0], timedelta(minutes=1)) == utc("2026-03-29T03:01+02:00")


def test_a_window_edge_in_the_repeated_autumn_hour_is_its_first_occurrence() -> None:
    """02:30 CEST to 03:30 CET: the desk is open through the repeated hour, two real hours."""
    odd = calendar("Europe/Berlin", ["02:30-03:30"], ("sun",))
    sunday = utc("2026-10-25T00:00+02:00"), utc("2026-10-26T00:00+01:00")
    assert odd.counted(*sunday) == 2 * HOUR
    assert odd.add(sunday[0], HOUR) == utc("2026-10-25T02:30+01:00")


def test_the_local_day_is_the_calendars_not_utcs() -> None:
    """Friday 23:00 UTC is still Friday afternoon in Los Angeles, already Saturday in Auckland."""
    instant = utc("2026-12-04T23:00+00:00")
    los_angeles = calendar("America/Los_Angeles", ["09:00-17:00"])
    auckland = calendar("Pacific/Auckland", ["09:00-17:00"])
    assert los_angeles.add(instant, HOUR) == utc("2026-12-04T16:00-08:00")
    assert auckland.add(instant, HOUR) == utc("2026-12-07T10:00+13:00")
    utc_sunday = utc("2026-12-06T00:00+00:00"), utc("2026-12-07T00:00+00:00")
    assert auckland.counted(*utc_sunday) == 4 * HOUR
    assert los_angeles.counted(*utc_sunday) == timedelta(0)


def test_a_half_hour_offset() -> None:
    kolkata = calendar("Asia/Kolkata", ["09:00-17:00"])
    assert kolkata.add(utc("2026-12-07T00:00+00:00"), HOUR) == utc("2026-12-07T10:00+05:30")


def test_zero_and_backwards() -> None:
    start = utc("2026-12-07T11:00+01:00")
    assert BERLIN_LUNCH.add(start, timedelta(0)) == start
    assert BERLIN_LUNCH.counted(start, start - HOUR) == timedelta(0)
    with pytest.raises(ValueError, match="negative"):
        BERLIN_LUNCH.add(start, -HOUR)


def test_around_the_clock_counts_every_second() -> None:
    clock = AroundTheClock()
    start = utc("2026-03-29T01:30+01:00")
    assert clock.add(start, 2 * HOUR) == utc("2026-03-29T04:30+02:00")
    assert clock.counted(start, start + 2 * HOUR) == 2 * HOUR
    assert clock.counted(start, start - HOUR) == timedelta(0)


def test_a_calendar_with_no_working_time_refuses_to_add() -> None:
    empty = parse_calendar({"timezone": "UTC", "hours": {"mon": []}})
    start = utc("2026-12-07T11:00+00:00")
    assert empty.counted(start, start + 30 * 24 * HOUR) == timedelta(0)
    with pytest.raises(CalendarError, match="no working hours"):
        empty.add(start, HOUR)


def test_24_00_ends_the_day_and_windows_are_sorted() -> None:
    parsed = parse_calendar(
        {"timezone": "UTC", "hours": {"sat": ["13:00-24:00", "08:00-12:00"]}, "holidays": []}
    )
    assert parsed.hours == {5: ((time(8), time(12)), (time(13), time(0)))}


def test_a_calendar_built_directly_is_checked_too() -> None:
    with pytest.raises(CalendarError, match=r"hours\.tue: 09:00-13:00 and 12:00-17:00 overlap"):
        WorkingCalendar("UTC", {1: ((time(9), time(13)), (time(12), time(17)))})


def test_holidays_accept_toml_dates() -> None:
    parsed = parse_calendar({"timezone": "UTC", "hours": {}, "holidays": [date(2026, 12, 25)]})
    assert parsed.holidays == frozenset({date(2026, 12, 25)})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"hours": {"mon": ["9-17"]}}, r"hours\.mon\[0\]: '9-17' is not a window of the form"),
        ({"hours": {"mon": ["17:00-09:00"]}}, r"hours\.mon\[0\]: '17:00-09:00' ends before"),
        ({"hours": {"mon": ["09:00-00:00"]}}, "write 24:00 for midnight"),
        ({"hours": {"mon": ["25:00-26:00"]}}, "'25:00-26:00' is not a time of day"),
        ({"hours": {"mon": "09:00-17:00"}}, r"hours\.mon: must be a list"),
        (
            {"hours": {"mon": ["09:00-12:00", "11:00-17:00"]}},
            r"hours\.mon: 09:00-12:00 and 11:00-17:00 overlap",
        ),
        ({"hours": {"mon2": ["09:00-17:00"]}}, "unknown weekday 'mon2'"),
        ({"timezone": "Europe/Berlinn"}, "timezone: unknown time zone 'Europe/Berlinn'"),
        ({"timezone": None}, "timezone: an IANA time zone name"),
        ({"country": "XX"}, "country: no public holidays are known for 'XX'"),
        ({"country": "DE", "subdivision": "ZZ"}, "no public holidays are known for 'DE', 'ZZ'"),
        ({"subdivision": "BY"}, "subdivision: 'BY' needs a country"),
        ({"holidays": ["2026-13-01"]}, r"holidays\[0\]: '2026-13-01' is not a date"),
        ({"holidays": "2026-12-25"}, "holidays: must be a list"),
        ({"timezon": "UTC"}, "unknown calendar field 'timezon'"),
    ],
)
def test_bad_specs_are_refused_by_name(spec: dict[str, object], message: str) -> None:
    full = {"timezone": "Europe/Berlin", "hours": {"mon": ["09:00-17:00"]}, **spec}
    with pytest.raises(CalendarError, match=message):
        parse_calendar(full)


def test_hours_are_required() -> None:
    with pytest.raises(CalendarError, match="hours: required"):
        parse_calendar({"timezone": "UTC"})


# Properties, over random calendars in zones either side of UTC, with half-hour offsets, a
# half-hour DST (Lord Howe) and clocks that change at midnight (Santiago), and instants drawn
# around the clock changes as often as anywhere else.

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "Australia/Lord_Howe",
    "UTC",
)
FIRST, LAST = datetime(2025, 1, 1), datetime(2027, 12, 31)


def clock_changes(zone: str) -> list[datetime]:
    """UTC instants (to the hour) just after each change of the zone's offset in the range."""
    tz = ZoneInfo(zone)
    hours = [FIRST + HOUR * index for index in range(int((LAST - FIRST) / HOUR))]
    offsets = [hour.replace(tzinfo=UTC).astimezone(tz).utcoffset() for hour in hours]
    return [
        hour
        for hour, before, after in zip(hours[1:], offsets, offsets[1:], strict=False)
        if before != after
    ]


CHANGES = [instant for zone in ZONES for instant in clock_changes(zone)]


@st.composite
def day_windows(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """Up to three sorted, non-overlapping windows, in minutes; 1440 is 24:00."""
    edges = sorted(draw(st.lists(st.integers(0, 1440), min_size=0, max_size=6, unique=True)))
    pairs = zip(edges[::2], edges[1::2], strict=False)
    return tuple(
        (time(start // 60, start % 60), time(end // 60 % 24, end % 60)) for start, end in pairs
    )


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    hours = {weekday: draw(day_windows()) for weekday in range(7)}
    assume(any(hours.values()))
    return WorkingCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        hours=hours,
        holidays=draw(st.frozensets(st.dates(FIRST.date(), LAST.date()), max_size=12)),
        country=draw(st.sampled_from([None, None, "DE", "US", "NZ"])),
    )


instants = st.one_of(
    st.datetimes(FIRST, LAST),
    st.datetimes(FIRST, LAST).map(lambda instant: instant.replace(second=0, microsecond=0)),
    st.builds(
        lambda change, shift: change + shift,
        st.sampled_from(CHANGES),
        st.timedeltas(-timedelta(days=2), timedelta(days=2)),
    ),
)


def week_of(clock: WorkingCalendar) -> timedelta:
    """Wall-clock working time of a week, to scale amounts to the calendar."""
    minutes = sum(
        (end.hour * 60 + end.minute or 1440) - (start.hour * 60 + start.minute)
        for windows in clock.hours.values()
        for start, end in windows
    )
    return timedelta(minutes=minutes)


def amounts(clock: WorkingCalendar) -> st.SearchStrategy[timedelta]:
    """From a microsecond to about forty weeks of this calendar's working time."""
    return st.floats(0, 40).map(lambda weeks: max(TICK, week_of(clock) * weeks))


TICK = timedelta(microseconds=1)
PROPERTIES = settings(max_examples=300, deadline=None)


@PROPERTIES
@given(calendars(), instants, st.data())
def test_add_is_the_inverse_of_counted(
    clock: WorkingCalendar, start: datetime, data: st.DataObject
) -> None:
    amount = data.draw(amounts(clock))
    due = clock.add(start, amount)
    assert clock.counted(start, due) == amount
    assert clock.counted(start, due - TICK) < amount


@PROPERTIES
@given(calendars(), instants, st.data())
def test_more_working_time_never_brings_the_due_time_earlier(
    clock: WorkingCalendar, start: datetime, data: st.DataObject
) -> None:
    smaller, larger = sorted((data.draw(amounts(clock)), data.draw(amounts(clock))))
    assert clock.add(start, smaller) <= clock.add(start, larger)


@PROPERTIES
@given(calendars(), st.lists(instants, min_size=3, max_size=3))
def test_counted_time_adds_up_over_consecutive_spans(
    clock: WorkingCalendar, moments: list[datetime]
) -> None:
    first, middle, last = sorted(moments)
    whole = clock.counted(first, last)
    assert whole == clock.counted(first, middle) + clock.counted(middle, last)
    assert timedelta(0) <= whole <= last - first


@PROPERTIES
@given(calendars(), instants, st.integers(1, 60))
def test_whole_days_by_arithmetic_agree_with_half_days_one_by_one(
    clock: WorkingCalendar, start: datetime, half_days: int
) -> None:
    """Half-day spans never contain a whole local day, so each is counted window by window:
    an independent check of the arithmetic on weeks, holidays and clock-change days."""
    step = timedelta(hours=12)
    pieces = [
        clock.counted(start + step * index, start + step * (index + 1))
        for index in range(half_days)
    ]
    assert clock.counted(start, start + step * half_days) == sum(pieces, timedelta(0))
