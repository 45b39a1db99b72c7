"""SLA due times: clock targets run 24x7, business targets only in working hours."""

from datetime import datetime, time, timedelta

import pytest

from helpdesk import sla

MONDAY_10 = datetime(2026, 11, 16, 10, 0)
FRIDAY_16 = datetime(2026, 11, 20, 16, 0)
SATURDAY_NOON = datetime(2026, 11, 21, 12, 0)


def test_p1_runs_around_the_clock():
    response, resolution = sla.due_times(SATURDAY_NOON, 1)
    assert response == SATURDAY_NOON + timedelta(minutes=15)
    assert resolution == SATURDAY_NOON + timedelta(hours=4)


def test_business_time_within_a_day():
    due = sla.add_business_time(MONDAY_10, timedelta(hours=4), sla.Calendar())
    assert due == datetime(2026, 11, 16, 14, 0)


def test_business_time_skips_the_weekend():
    due = sla.add_business_time(FRIDAY_16, timedelta(hours=4), sla.Calendar())
    assert due == datetime(2026, 11, 23, 12, 0)  # 1h Friday, 3h Monday


def test_weekend_start_counts_from_monday_morning():
    due = sla.add_business_time(SATURDAY_NOON, timedelta(hours=1), sla.Calendar())
    assert due == datetime(2026, 11, 23, 10, 0)


def test_p3_resolution_is_three_business_days():
    _, resolution = sla.due_times(MONDAY_10, 3)
    assert resolution == datetime(2026, 11, 19, 10, 0)


def test_after_hours_start_counts_from_next_morning():
    late = datetime(2026, 11, 16, 20, 0)
    assert sla.add_business_time(late, timedelta(minutes=30), sla.Calendar()) == datetime(
        2026, 11, 17, 9, 30
    )


def test_custom_calendar():
    seven_days = sla.Calendar(start=time(8, 0), end=time(20, 0), weekdays=frozenset(range(7)))
    due = sla.add_business_time(SATURDAY_NOON, timedelta(hours=10), seven_days)
    assert due == datetime(2026, 11, 22, 10, 0)  # 8h Saturday, 2h Sunday


@pytest.mark.parametrize("priority", [1, 2, 3, 4, 5])
def test_response_is_due_before_resolution(priority):
    response, resolution = sla.due_times(MONDAY_10, priority)
    assert MONDAY_10 < response < resolution


def test_resume_shifts_due_time_by_the_pause():
    paused, resumed = MONDAY_10, MONDAY_10 + timedelta(hours=3)
    assert sla.resume(FRIDAY_16, paused, resumed) == FRIDAY_16 + timedelta(hours=3)
    assert sla.resume(None, paused, resumed) is None
