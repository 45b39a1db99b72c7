"""What the dashboard shows, gathered from the report reads: today's row, the KPI tiles
(each figure carrying its exact value beside the readable one, as the CSV writes it), the
charts and the tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.kb.deflection import deflection_rate, top_solvers
from helpdesk.reads import report_breakdowns, report_series, report_today
from helpdesk.reads.kpi_rows import Cell, cell_text, kpi_rows
from helpdesk.reads.kpis import kpis
from helpdesk.web.reports import charts
from helpdesk.web.reports.forms import Scope
from helpdesk.web.reports.readable import (
    count_text,
    duration_text,
    long_day,
    percent_text,
    rating_text,
)

# The tiles: a title, the measure shown large, and the measures written under it.
TILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Opened", "opened", ()),
    ("Resolved", "resolved", ()),
    ("Backlog at the end", "backlog_end", ()),
    ("Time to acknowledge (mean)", "mtta_seconds.mean", ("median", "p90")),
    ("Time to resolve (mean)", "mttr_seconds.mean", ("median", "p90")),
    ("Time to resolve, SLA clock (mean)", "mttr_sla_seconds.mean", ("median", "p90")),
    ("First-contact resolution", "fcr_rate", ()),
    ("Reopened", "reopen_rate", ()),
    ("Escalated", "escalation_rate", ()),
    ("Response targets met", "sla.response_met_rate", ()),
    ("Resolution targets met", "sla.resolution_met_rate", ()),
    ("Satisfaction", "csat.average", ("responses", "closed", "response_rate")),
)
WORDS = {
    "median": "median",
    "p90": "90th percentile",
    "responses": "ratings",
    "closed": "closed",
    "response_rate": "rated",
}


@dataclass(frozen=True)
class Figure:
    """One measure: its dotted name (as in the CSV), exact value and readable text."""

    name: str
    value: Cell
    text: str

    @property
    def exact(self) -> str:
        """The value as the CSV writes it."""
        return cell_text(self.value)

    @property
    def seconds(self) -> bool:
        """Whether the measure is a time in seconds."""
        return "seconds" in self.name.split(".")[0]


@dataclass(frozen=True)
class Tile:
    """A KPI tile: its title, main figure, and the figures under it with their words."""

    title: str
    main: Figure
    details: list[tuple[str, Figure]]


def figure(name: str, value: Cell) -> Figure:
    """A measure written as its kind reads: a time, a rate, a rating or a count."""
    number = None if isinstance(value, str) else value
    if "seconds" in name.split(".")[0]:
        text = duration_text(number)
    elif name.endswith("rate"):
        text = percent_text(number)
    elif name == "csat.average":
        text = rating_text(number)
    else:
        text = count_text(number)
    return Figure(name, value, text)


def tiles(measures: dict[str, Any]) -> list[Tile]:
    """The KPI tiles of a `kpis()` dict."""
    found = {name: figure(name, value) for name, value in kpi_rows(measures)}
    return [
        Tile(
            title,
            found[main],
            [(WORDS[detail], found[f"{main.rsplit('.', 1)[0]}.{detail}"]) for detail in details],
        )
        for title, main, details in TILES
    ]


def report(scope: Scope, now: datetime) -> dict[str, Any]:
    """Everything the dashboard shows for a filter, at `now`."""
    period, only, every = scope.period, scope.only, scope.every
    measures = kpis(period, only)
    rows = report_series.series(period, only, every)
    span = f"from {long_day(period.first)} to {long_day(period.last)}"
    deflections = deflection_rate(period.start, period.end)
    return {
        "span": span,
        "zone": period.zone,
        "filtered": only.any,
        "today": report_today.today(now),
        "tiles": tiles(measures),
        "figures": [figure(name, value) for name, value in kpi_rows(measures)],
        "charts": [
            charts.volume(rows, every, span),
            charts.backlog(rows, every, span),
            charts.resolution_by_priority(measures["mttr_seconds"]["by_priority"], span),
            charts.sla_compliance(rows, every, span),
            charts.satisfaction(rows, every, span),
        ],
        "ages": report_series.ages(period.end, only),
        "top": report_breakdowns.top_opened(period, only),
        "agents": report_breakdowns.per_agent(period, only, measures["resolved_by_agent"]),
        "mtbf": [
            (service, figure(f"mtbf_seconds_by_service.{service}", seconds))
            for service, seconds in measures["mtbf_seconds_by_service"].items()
        ],
        "deflections": deflections,
        "deflection_rate": percent_text(deflections.rate),
        "solvers": top_solvers(period.start, period.end),
    }
