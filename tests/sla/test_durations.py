"""SLA durations: "90m", "4h", "2h30m", "1d" read and written back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.sla.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("4h", timedelta(hours=4)),
        ("2h30m", timedelta(hours=2, minutes=30)),
        ("1d", timedelta(days=1)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        (" 15m ", timedelta(minutes=15)),
        ("0m", timedelta(0)),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "4", "h", "4x", "30m2h", "1.5h", "-1h", "4h 30m", "4H"])
def test_parse_refuses_and_names_the_text(text: str) -> None:
    with pytest.raises(DurationError, match=re.escape(repr(text))):
        parse_duration(text)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(minutes=90), "1h30m"),
        (timedelta(hours=4), "4h"),
        (timedelta(days=2, seconds=5), "2d5s"),
        (timedelta(0), "0m"),
    ],
)
def test_format(duration: timedelta, expected: str) -> None:
    assert format_duration(duration) == expected


@pytest.mark.parametrize("duration", [timedelta(seconds=-1), timedelta(milliseconds=1)])
def test_format_refuses_what_it_cannot_spell(duration: timedelta) -> None:
    with pytest.raises(DurationError):
        format_duration(duration)


@given(st.integers(min_value=0, max_value=10**9))
def test_format_and_parse_round_trip(seconds: int) -> None:
    duration = timedelta(seconds=seconds)
    assert parse_duration(format_duration(duration)) == duration
