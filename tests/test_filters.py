"""Display helpers: relative times and file sizes."""

from datetime import datetime, timedelta

import pytest

from helpdesk.web.filters import filesize, relative

NOW = datetime(2026, 11, 22, 12, 0)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(hours=3, minutes=59), "3 hours ago"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=400), "1 year ago"),
        (-timedelta(hours=2), "in 2 hours"),
    ],
)
def test_relative(delta, text):
    assert relative(NOW - delta, NOW) == text


@pytest.mark.parametrize(
    ("size", "text"), [(0, "0 bytes"), (2048, "2.0 KB"), (5 * 1024 * 1024, "5.0 MB")]
)
def test_filesize(size, text):
    assert filesize(size) == text
