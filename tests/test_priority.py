"""The impact x urgency matrix gives the priority DESIGN.md documents."""

import pytest

from helpdesk.priority import DEFAULT_MATRIX, UnknownLevel, priority_for, priority_label

DOCUMENTED = {
    ("high", "high"): "P1 critical",
    ("high", "medium"): "P2 high",
    ("high", "low"): "P3 moderate",
    ("medium", "high"): "P2 high",
    ("medium", "medium"): "P3 moderate",
    ("medium", "low"): "P4 low",
    ("low", "high"): "P3 moderate",
    ("low", "medium"): "P4 low",
    ("low", "low"): "P5 planning",
}


@pytest.mark.parametrize(("impact", "urgency"), sorted(DOCUMENTED))
def test_matrix_matches_design(impact, urgency):
    assert priority_label(priority_for(impact, urgency)) == DOCUMENTED[(impact, urgency)]


def test_higher_impact_never_lowers_priority():
    for urgency in ("high", "medium", "low"):
        values = [priority_for(impact, urgency) for impact in ("low", "medium", "high")]
        assert values == sorted(values, reverse=True)


def test_configured_matrix_is_used():
    flat = {key: 3 for key in DEFAULT_MATRIX}
    assert priority_for("high", "high", flat) == 3


@pytest.mark.parametrize(("impact", "urgency"), [("severe", "high"), ("high", ""), ("HIGH", "low")])
def test_unknown_level_is_refused_by_name(impact, urgency):
    with pytest.raises(UnknownLevel, match="must be one of high, medium, low"):
        priority_for(impact, urgency)
