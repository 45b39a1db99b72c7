"""The reports' pages: the dashboard, and the same numbers as CSV for a spreadsheet. Each
reads the same filter from the query string; a filter that cannot be read is a 400 that
says why."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, render_template, request

from helpdesk.core.zones import local, zone_named
from helpdesk.models import utcnow
from helpdesk.reads import report_series
from helpdesk.reads.kpi_rows import cell_text, kpi_rows, series_columns, series_row
from helpdesk.reads.kpis import kpis
from helpdesk.reads.report_scope import reporting_zone, zone_pending
from helpdesk.web.reports import dashboard as board
from helpdesk.web.reports.blueprint import bp
from helpdesk.web.reports.forms import ReportForm, Scope, read_filter
from helpdesk.web.roles import reports_required

BAD_REQUEST = 400
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _scope() -> tuple[ReportForm, Scope | None, list[str]]:
    """The filter of the query string (the last 30 days in the reporting time zone unless
    it says otherwise), the report it asks for, and why it cannot be made, if it cannot."""
    zone = reporting_zone()
    today = local(utcnow(), zone_named(zone)).date()
    form, problems = read_filter(request.args, today)
    if problems:
        return form, None, problems
    try:
        return form, form.scope(zone), []
    except ValueError as error:
        return form, None, [str(error)]


@bp.get("/")
@reports_required
def dashboard() -> tuple[str, int]:
    """Today's numbers, and the KPIs, charts and tables of the range the filter asks for."""
    form, scope, problems = _scope()
    if scope is None:
        page = render_template("reports/dashboard.html", form=form, problems=problems)
        return page, BAD_REQUEST
    report = board.report(scope, utcnow())
    kept = {key: value for key, value in request.args.items() if value}
    page = render_template(
        "reports/dashboard.html", form=form, report=report, kept=kept, zone_pending=zone_pending()
    )
    return page, 200


@bp.get("/kpis.csv")
@reports_required
def kpis_csv() -> Response:
    """The KPIs of the range as `measure,value` rows (README, "Reports")."""
    _form, scope, problems = _scope()
    if scope is None:
        return _refused(problems)
    rows = [
        (_text_cell(name), cell_text(value))
        for name, value in kpi_rows(kpis(scope.period, scope.only))
    ]
    return _csv("kpis", scope, ["measure", "value"], rows)


@bp.get("/series.csv")
@reports_required
def series_csv() -> Response:
    """One row per day or week: opened, resolved, backlog, resolution time by priority,
    targets met and ratings."""
    _form, scope, problems = _scope()
    if scope is None:
        return _refused(problems)
    periods = report_series.series(scope.period, scope.only, scope.every)
    columns = series_columns(periods)
    rows = [[cell_text(series_row(period)[column]) for column in columns] for period in periods]
    return _csv(f"series-per-{scope.every}", scope, columns, rows)


def _text_cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula it would run."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv(name: str, scope: Scope, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Response:
    """A CSV download named after what it holds and its range."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    filename = f"{name}-{scope.period.first}-to-{scope.period.last}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _refused(problems: list[str]) -> Response:
    """Why a download's filter cannot be read, as plain text."""
    return Response(" ".join(problems) + "\n", status=BAD_REQUEST, mimetype="text/plain")
