"""Priority from impact x urgency: the ITIL matrix, as a pure function of plain values."""

from __future__ import annotations

from collections.abc import Mapping

LEVELS = ("high", "medium", "low")

PRIORITY_LABELS = {1: "critical", 2: "high", 3: "moderate", 4: "low", 5: "planning"}

# (impact, urgency) -> priority number; 1 is the most urgent.
DEFAULT_MATRIX: Mapping[tuple[str, str], int] = {
    ("high", "high"): 1,
    ("high", "medium"): 2,
    ("high", "low"): 3,
    ("medium", "high"): 2,
    ("medium", "medium"): 3,
    ("medium", "low"): 4,
    ("low", "high"): 3,
    ("low", "medium"): 4,
    ("low", "low"): 5,
}


class UnknownLevel(ValueError):
    """Raised for an impact or urgency that is not high, medium or low."""


def priority_for(
    impact: str, urgency: str, matrix: Mapping[tuple[str, str], int] = DEFAULT_MATRIX
) -> int:
    """Return the priority number (1-5) that the matrix gives an impact and urgency."""
    for name, value in (("impact", impact), ("urgency", urgency)):
        if value not in LEVELS:
            raise UnknownLevel(f"{name} must be one of {', '.join(LEVELS)}, not {value!r}")
    return matrix[(impact, urgency)]


def priority_label(priority: int) -> str:
    """Return the display name of a priority, e.g. 'P1 critical'."""
    return f"P{priority} {PRIORITY_LABELS[priority]}"
