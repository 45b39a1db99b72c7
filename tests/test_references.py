"""Incident references are spelled one way everywhere."""

import pytest

from helpdesk.references import spell_reference


@pytest.mark.parametrize(
    ("prefix", "number", "text"),
    [("INC", 123, "INC-000123"), (" IT ", 7, "IT-000007"), ("INC", 1234567, "INC-1234567")],
)
def test_spelling(prefix, number, text):
    assert spell_reference(prefix, number) == text
