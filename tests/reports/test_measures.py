"""The reports' arithmetic: percentile ranks, rates and the time between failures, and
the range's local days across a change of daylight saving time."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk import measures
from helpdesk.reads.report_scope import ReportRange

H = timedelta(hours=1)
T0 = datetime(2026, 3, 2, 8, 0)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50))
def test_the_median_ranks_give_the_textbook_median(values: list[int]) -> None:
    ordered = sorted(values)
    low, high = measures.median_ranks(len(ordered))
    assert (ordered[low] + ordered[high]) / 2 == statistics.median(ordered)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50))
def test_the_90th_percentile_is_the_nearest_rank(values: list[int]) -> None:
    ordered = sorted(values)
    value = ordered[measures.nearest_rank(len(ordered), 0.9)]
    # At least 90% of the values are at or below it, and fewer than 90% below it.
    assert sum(v <= value for v in ordered) >= 0.9 * len(ordered)
    assert sum(v < value for v in ordered) < 0.9 * len(ordered)


def test_ranks_of_nothing_are_refused_and_rates_of_nothing_are_none() -> None:
    with pytest.raises(ValueError, match="no values"):
        measures.median_ranks(0)
    assert measures.rate(3, 0) is None and measures.rate(1, 4) == 0.25
    assert measures.mean(None, 0) is None and measures.mean(10.0, 4) == 2.5
    assert measures.nearest_rank(10, 0.9) == 8 and measures.nearest_rank(1, 0.9) == 0


def test_the_time_between_failures_runs_from_one_resolution_to_the_next_opening() -> None:
    outages = [(T0, T0 + H), (T0 + 5 * H, T0 + 6 * H), (T0 + 10 * H, T0 + 11 * H)]
    assert measures.mean_time_between(outages, T0 + 24 * H) == 4 * 3600


def test_overlapping_failures_are_one_outage_and_one_failure_is_no_mean() -> None:
    overlapping = [(T0, T0 + 3 * H), (T0 + H, T0 + 2 * H), (T0 + 7 * H, None)]
    assert measures.mean_time_between(overlapping, T0 + 24 * H) == 4 * 3600
    assert measures.mean_time_between([(T0, None), (T0 + H, T0 + 2 * H)], T0 + 9 * H) is None
    assert measures.mean_time_between([(T0, T0 + H)], T0 + 9 * H) is None


def test_a_day_is_a_local_day_across_the_change_to_summer_time() -> None:
    berlin = ReportRange(date(2026, 3, 28), date(2026, 3, 30), "Europe/Berlin")
    assert berlin.start == datetime(2026, 3, 27, 23, 0)  # midnight at UTC+1
    assert berlin.end == datetime(2026, 3, 30, 22, 0)  # midnight at UTC+2
    lengths = [(end - start) / H for _day, start, end in berlin.periods("day")]
    assert lengths == [24, 23, 24]


def test_weeks_start_on_monday_and_are_cut_to_the_range() -> None:
    period = ReportRange(date(2026, 11, 26), date(2026, 12, 9))  # Thursday to Wednesday
    assert [first for first, _start, _end in period.periods("week")] == [
        date(2026, 11, 26),
        date(2026, 11, 30),
        date(2026, 12, 7),
    ]
    assert period.periods("week")[-1][2] == datetime(2026, 12, 10)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 2, 1), date(2026, 1, 1), "ends before it starts"),
        (date(2020, 1, 1), date(2026, 1, 1), "at most five years"),
    ],
)
def test_a_range_that_cannot_be_reported_says_why(first: date, last: date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReportRange(first, last)


def test_unknown_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="day, week"):
        ReportRange(date(2026, 1, 1), date(2026, 1, 2)).periods("month")


@pytest.mark.parametrize(
    ("first", "last"), [(date(1, 1, 1), date(1, 1, 2)), (date(9999, 12, 30), date(9999, 12, 31))]
)
def test_days_at_the_calendars_ends_are_refused(first: date, last: date) -> None:
    with pytest.raises(ValueError, match="Choose days from 1900-01-01 to 9998-12-31"):
        ReportRange(first, last, "Asia/Tokyo")
