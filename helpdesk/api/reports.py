"""The KPIs through the API, for managers (as the Reports pages): the same dict the pages
and the CSV show (helpdesk.reads.kpis), for a range of days and the same filters."""

from __future__ import annotations

from spectree import Response

from helpdesk.api.auth import caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.report_schemas import KpiQuery, Kpis
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.reads.kpis import kpis
from helpdesk.reads.report_scope import ReportFilter, reporting_range

TAGS = ["reports"]


@bp.get("/reports/kpis")
@requires("read")
@spec.validate(resp=Response(HTTP_200=Kpis, HTTP_422=Problem, **REFUSALS), tags=TAGS)
def read_kpis(query: KpiQuery) -> Kpis:
    """The KPIs of the days `from` to `to` (both included, in the reporting time zone),
    for the incidents the filters select; only for admins and agents with the report role."""
    if not caller().reads_reports:
        raise NotAllowed("Only admins and agents with the report role read the reports.")
    try:
        period = reporting_range(query.first, query.last)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    only = ReportFilter(
        team_id=query.team,
        category_id=query.category,
        service_id=query.service,
        priority=query.priority,
        channel=query.channel,
    )
    return Kpis.model_validate(kpis(period, only))
