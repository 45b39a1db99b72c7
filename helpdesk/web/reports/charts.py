"""The dashboard's charts as plain numbers for an SVG template (templates/reports/
_charts.html draws them; no script, which the CSP forbids): the plot's geometry, readable
axis ticks, the series' bars or lines, and the same numbers as a table for anyone who
cannot see the picture."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from helpdesk.web.reports.readable import (
    count_text,
    duration_text,
    long_day,
    percent_text,
    rating_text,
    short_day,
)

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36
# At most this many labels under the x axis (every few periods are named on long ranges).
X_LABELS = 8
# The share of a period's width its bars take (the rest keeps periods apart).
BAR_SHARE = 0.8
# Lines over more periods than this are drawn without a dot on every point.
MARKED_POINTS = 62
Value = float | int | None


@dataclass(frozen=True)
class Scale:
    """How a chart's values are drawn (in axis units) and written."""

    unit: str  # the y axis' title
    per_unit: float  # a value divided by this is in axis units
    text: Callable[[Any], str]  # a value as written in the table and the marks' titles
    tick: str  # an axis tick's format, e.g. "{:g} h"
    top: float | None = None  # the axis' fixed top (100%, 5 stars); None: from the data
    whole: bool = False  # ticks are whole numbers (counts)


COUNT = Scale("Incidents", 1, count_text, "{:g}", whole=True)
HOURS = Scale("Hours", 3600, duration_text, "{:g} h")
PERCENT = Scale("Targets met", 0.01, percent_text, "{:g}%", top=100)
RATING = Scale("Average rating", 1, rating_text, "{:g}", top=5)


@dataclass(frozen=True)
class Tick:
    """A labelled place on an axis (x or y in the SVG's coordinates)."""

    at: float
    label: str


@dataclass(frozen=True)
class Mark:
    """One value drawn: a bar (x, y, width, height) or a point (x, y), with its text."""

    x: float
    y: float
    width: float
    height: float
    text: str


@dataclass(frozen=True)
class Plotted:
    """One series: its name, its colour's class, its marks and (line charts) its lines."""

    name: str
    css: str
    marks: list[Mark]
    lines: list[str]


@dataclass(frozen=True)
class Chart:
    """Everything the template needs to draw a chart and its table."""

    key: str
    title: str
    description: str
    kind: str  # "bars" or "lines"
    unit: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Plotted]
    category: str  # what the table's first column names: "Period", "Priority"
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    width: ClassVar[int] = WIDTH
    height: ClassVar[int] = HEIGHT
    left: ClassVar[int] = LEFT
    right: ClassVar[int] = WIDTH - RIGHT
    top: ClassVar[int] = TOP
    bottom: ClassVar[int] = HEIGHT - BOTTOM


@dataclass(frozen=True)
class Series:
    """A named row of values to chart, one per category."""

    name: str
    values: Sequence[Value]


def y_ticks(peak: float, scale: Scale) -> list[float]:
    """Round ticks from zero to at least `peak` (in axis units), four or five of them."""
    if scale.top is not None:
        step = scale.top / (5 if scale.top == 5 else 4)
        return [step * number for number in range(round(scale.top / step) + 1)]
    rough = max(peak, 1e-9) / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    if scale.whole:
        step = max(1.0, math.ceil(step))
    return [step * number for number in range(max(1, math.ceil(peak / step)) + 1)]


def chart(
    key: str,
    title: str,
    description: str,
    kind: str,
    scale: Scale,
    categories: Sequence[tuple[str, str]],
    plotted: Sequence[Series],
    category: str = "Period",
) -> Chart:
    """Lay out a bar or line chart of `plotted` over `categories` ((axis label, table
    label) each), on `scale`."""
    drawn = [v / scale.per_unit for s in plotted for v in s.values if v is not None]
    ticks = y_ticks(max(drawn, default=0), scale)
    band = (Chart.right - Chart.left) / max(1, len(categories))

    def y_of(value: float) -> float:
        """The SVG y of a value (in the series' units)."""
        share = value / scale.per_unit / ticks[-1]
        return round(Chart.bottom - share * (Chart.bottom - Chart.top), 2)

    lay = _bars if kind == "bars" else _lines
    series = [
        lay(entry, number, len(plotted), band, Chart.left, y_of, scale)
        for number, entry in enumerate(plotted)
    ]
    every = math.ceil(len(categories) / X_LABELS) or 1
    return Chart(
        key,
        title,
        description,
        kind,
        scale.unit,
        [
            Tick(round(Chart.left + (number + 0.5) * band, 2), label)
            for number, (label, _long) in enumerate(categories)
            if number % every == 0
        ],
        [Tick(y_of(tick * scale.per_unit), scale.tick.format(tick)) for tick in ticks],
        series,
        category,
        [entry.name for entry in plotted],
        [
            (long, [scale.text(entry.values[number]) for entry in plotted])
            for number, (_short, long) in enumerate(categories)
        ],
    )


def _bars(
    entry: Series,
    number: int,
    count: int,
    band: float,
    left: float,
    y_of: Callable[[float], float],
    scale: Scale,
) -> Plotted:
    """A series as bars, side by side with the other series' in each period."""
    width = band * BAR_SHARE / count
    marks = []
    for place, value in enumerate(entry.values):
        if value is None:
            continue
        x = left + place * band + band * (1 - BAR_SHARE) / 2 + number * width
        y = y_of(value)
        bottom = y_of(0)
        marks.append(Mark(round(x, 2), y, round(width, 2), round(bottom - y, 2), scale.text(value)))
    return Plotted(entry.name, f"series-{number + 1}", marks, [])


def _lines(
    entry: Series,
    number: int,
    count: int,
    band: float,
    left: float,
    y_of: Callable[[float], float],
    scale: Scale,
) -> Plotted:
    """A series as a line through its points, broken where a period measured nothing; the
    points are marked when there are few (and always when alone between gaps)."""
    lines: list[list[Mark]] = [[]]
    for place, value in enumerate(entry.values):
        if value is None:
            lines.append([])
            continue
        x = round(left + (place + 0.5) * band, 2)
        lines[-1].append(Mark(x, y_of(value), 0, 0, scale.text(value)))
    few = len(entry.values) <= MARKED_POINTS
    return Plotted(
        entry.name,
        f"series-{number + 1}",
        [mark for line in lines for mark in line if few or len(line) == 1],
        [" ".join(f"{mark.x},{mark.y}" for mark in line) for line in lines if line],
    )


def _days(rows: Sequence[dict[str, Any]], every: str) -> list[tuple[str, str]]:
    """Each period's axis label ("1 Dec") and table label ("1 Dec 2026", "Week from ...")."""
    days = [date.fromisoformat(row["period"]) for row in rows]
    lead = "Week from " if every == "week" else ""
    return [(short_day(day), f"{lead}{long_day(day)}") for day in days]


def _per(every: str) -> str:
    """The periods as a chart's title says them: "per day" or "per week"."""
    return "per week" if every == "week" else "per day"


def volume(rows: Sequence[dict[str, Any]], every: str, span: str) -> Chart:
    """Incidents opened and resolved in each period."""
    opened, resolved = (sum(row[key] for row in rows) for key in ("opened", "resolved"))
    return chart(
        "volume",
        f"Opened and resolved {_per(every)}",
        f"Incidents opened and resolved {_per(every)}, {span}: {opened} opened, "
        f"{resolved} resolved in all.",
        "bars",
        COUNT,
        _days(rows, every),
        [
            Series("Opened", [r["opened"] for r in rows]),
            Series("Resolved", [r["resolved"] for r in rows]),
        ],
    )


def backlog(rows: Sequence[dict[str, Any]], every: str, span: str) -> Chart:
    """The incidents still open at the end of each period."""
    last = rows[-1]["backlog"] if rows else 0
    return chart(
        "backlog",
        f"Backlog at the end of each {every}",
        f"Incidents open (not resolved, closed or cancelled) at the end of each {every}, "
        f"{span}; {last} at the end.",
        "lines",
        COUNT,
        _days(rows, every),
        [Series("Backlog", [row["backlog"] for row in rows])],
    )


def resolution_by_priority(by_priority: dict[str, dict[str, Value]], span: str) -> Chart:
    """The mean time to resolve, per priority, over the whole range."""
    names = sorted(by_priority)
    return chart(
        "mttr",
        "Mean time to resolve by priority",
        f"Mean wall-clock time from opening to resolution of the incidents resolved {span}, "
        "per priority" + ("." if names else ": none was resolved."),
        "bars",
        HOURS,
        [(name, name) for name in names],
        [Series("Mean time to resolve", [by_priority[name]["mean"] for name in names])],
        category="Priority",
    )


def sla_compliance(rows: Sequence[dict[str, Any]], every: str, span: str) -> Chart:
    """The share of response and resolution targets met in each period."""
    return chart(
        "sla",
        f"SLA targets met {_per(every)}",
        f"The share of response and resolution targets met among those met or breached "
        f"{_per(every)}, {span}; gaps where no target fell due.",
        "lines",
        PERCENT,
        _days(rows, every),
        [
            Series("Response", [row["response_met_rate"] for row in rows]),
            Series("Resolution", [row["resolution_met_rate"] for row in rows]),
        ],
    )


def satisfaction(rows: Sequence[dict[str, Any]], every: str, span: str) -> Chart:
    """The average rating of the incidents closed in each period."""
    return chart(
        "csat",
        f"Satisfaction {_per(every)}",
        f"The average rating (1 to 5) of the incidents closed {_per(every)}, {span}; gaps "
        "where none was rated.",
        "lines",
        RATING,
        _days(rows, every),
        [Series("Average rating", [row["csat_average"] for row in rows])],
    )
