"""The KPIs and the per-period series as flat rows, as the CSV downloads and the page's
table of every measure write them: one flattening, so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PRIORITY_COLUMNS = tuple(f"mttr_P{priority}" for priority in range(1, 6))
Cell = int | float | str | None


def kpi_rows(measures: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Cell]]:
    """Every measure of a `kpis()` dict as (dotted name, value), in the dict's order, e.g.
    ("mttr_seconds.by_priority.P1.median", 3600.0); None where nothing was measured."""
    rows: list[tuple[str, Cell]] = []
    for key, value in measures.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(kpi_rows(value, f"{name}."))
        else:
            rows.append((name, value))
    return rows


def series_columns(periods: list[dict[str, Any]]) -> list[str]:
    """The columns of the series' table: each row's keys in order, the mean resolution
    time by priority as one column per priority (mttr_P1..mttr_P5)."""
    keys = list(periods[0]) if periods else []
    columns: list[str] = []
    for key in keys:
        columns.extend(PRIORITY_COLUMNS if key == "mttr_by_priority" else (key,))
    return columns


def series_row(period: Mapping[str, Any]) -> dict[str, Cell]:
    """One period's numbers by column (a priority none was resolved at is None)."""
    row: dict[str, Cell] = {}
    for key, value in period.items():
        if key == "mttr_by_priority":
            row.update({column: value.get(column[5:]) for column in PRIORITY_COLUMNS})
        else:
            row[key] = value
    return row


def cell_text(value: Cell) -> str:
    """A value as written: numbers as Python writes them (3, 4200.0), empty for None."""
    return "" if value is None else value if isinstance(value, str) else repr(value)
