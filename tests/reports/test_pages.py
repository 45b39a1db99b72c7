"""The reports' pages: who may read them, a filter that cannot be read, and the page and the
CSV downloads showing exactly the numbers of the report reads (kpis, series)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk import accounts, incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, SlaPolicy, Team, User
from helpdesk.reads.kpi_rows import cell_text, kpi_rows, series_columns, series_row
from helpdesk.reads.kpis import kpis
from helpdesk.reads.report_scope import ReportFilter, ReportRange
from helpdesk.reads.report_series import series
from helpdesk.web.reports import charts
from tests.conftest import AuthActions, ManualClock
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user

# The clock fixture's Monday 30 November 2026; the default range is the 30 days to it.
DEFAULT = ReportRange(date(2026, 11, 1), date(2026, 11, 30))
PAGES = ("/reports/", "/reports/kpis.csv", "/reports/series.csv")
MEASURE = re.compile(r'data-measure="([^"]+)" data-value="([^"]*)"')


@dataclass
class History:
    """A small history: a manager, the service desk and the network team's incidents."""

    manager: User
    desk: Team
    network: Team


@pytest.fixture
def history(app: Flask, clock: ManualClock, standard: SlaPolicy) -> History:
    """Five incidents over three days: resolved, rated, reopened, left open, on two teams."""
    agent, other = gen_user("agent", name="Avery Agent"), gen_user("agent", name="Blake Agent")
    desk = gen_team("Service desk", [agent], service_desk=True)
    network = gen_team("Network", [other])
    vpn, wifi = gen_service("VPN"), gen_service("Wi-Fi")
    hardware = gen_category("Hardware")
    requester = gen_user(name="Uma User")
    clock.set(date_at(27, 9))
    down = gen_incident(requester, impact="high", urgency="high", service_id=vpn.id)
    incidents.add_reply(down, agent, "Looking at it.")
    incidents.assign(down, agent, desk.id, agent.id)
    clock.set(date_at(27, 10, 30))
    incidents.resolve(down, agent, "fixed", "Restarted the concentrator.")
    incidents.confirm_resolution(down, requester)
    incidents.rate(down, requester, 4)
    clock.set(date_at(28, 11))
    laptop = gen_incident(requester, category_id=hardware.id, channel="email")
    incidents.assign(laptop, other, network.id, other.id)
    clock.set(date_at(29, 15))
    incidents.resolve(laptop, other, "fixed", "New battery.")
    incidents.reject_resolution(laptop, requester, "Still dies.")
    clock.set(date_at(30, 8))
    again = gen_incident(requester, impact="high", urgency="medium", service_id=wifi.id)
    incidents.assign(again, agent, desk.id, agent.id)
    gen_incident(requester, category_id=hardware.id)
    clock.set(date_at(30, 9))
    manager = gen_user("agent", name="Morgan Manager")
    accounts.update_user(manager.id, manager.name, "agent", True, gen_user("admin"), reports=True)
    return History(manager, desk, network)


def date_at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 (naive UTC)."""
    return datetime(2026, 11, day, hour, minute)


def page_measures(html: str) -> dict[str, str]:
    """The exact values the page's tiles and tables carry, by dotted name."""
    return dict(MEASURE.findall(html))


def csv_rows(client: FlaskClient, path: str) -> list[list[str]]:
    """A download's rows, header first."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("path", PAGES)
def test_only_report_readers_get_in(client, auth: AuthActions, history: History, path):
    assert client.get(path).status_code == 302  # a visitor is sent to sign in
    assert "/login" in client.get(path).headers["Location"]
    for person, status in (
        (gen_user(), 403),
        (gen_user("agent"), 403),
        (history.manager, 200),
        (gen_user("admin"), 200),
    ):
        auth.login(person.email)
        assert client.get(path).status_code == status, person.role
        auth.logout()


def test_the_navigation_offers_reports_to_readers_only(client, auth, history: History):
    auth.login(gen_user("agent").email)
    assert "/reports/" not in client.get("/kb/").get_data(as_text=True)
    auth.logout()
    auth.login(history.manager.email)
    assert 'href="/reports/"' in client.get("/kb/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "yesterday"}, "From: Write a date as YYYY-MM-DD"),
        ({"to": "2026-13-01"}, "To: Write a date as YYYY-MM-DD"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "The range ends before it starts."),
        ({"from": "2020-01-01", "to": "2026-11-30"}, "A report covers at most five years."),
        ({"from": "0001-01-01"}, "From: Choose a day from 1900-01-01"),
        ({"to": "9999-12-31"}, "To: Choose a day from 1900-01-01"),
        ({"team": "999999"}, "There is no team number 999999."),
        ({"service": str(2**31)}, "Service: "),
        ({"priority": "9"}, "Priority: Not a valid choice"),
        ({"channel": "pigeon"}, "Channel: Not a valid choice"),
        ({"every": "month"}, "Periods: Not a valid choice"),
    ],
)
def test_a_filter_that_cannot_be_read_says_why(client, auth, history: History, query, message):
    auth.login(history.manager.email)
    response = client.get("/reports/", query_string=query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "<svg" not in page
    download = client.get("/reports/kpis.csv", query_string=query)
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_the_page_shows_the_numbers_of_the_reads(client, auth, history: History):
    auth.login(history.manager.email)
    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = {name: cell_text(value) for name, value in kpi_rows(kpis(DEFAULT, ReportFilter()))}
    shown = {k: v for k, v in page_measures(html).items() if not k.startswith("today.")}
    assert shown and all(expected[name] == value for name, value in shown.items())
    assert shown["opened"] == "4" and shown["resolved"] == "1"  # the laptop's was withdrawn
    assert shown["mttr_seconds.mean"] == "5400.0"
    assert 'data-seconds="5400.0"' in html and ">1h 30m<" in html
    assert shown["csat.average"] == "4.0" and shown["reopen_rate"] == "0.0"
    assert "mtbf_seconds_by_service.VPN" in shown
    every = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td>', _between(html, "every-measure")
    )
    assert every == list(expected.items())


def _between(html: str, table_id: str) -> str:
    """The HTML of one table."""
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


def test_today_charts_and_tables(client, auth, history: History):
    auth.login(history.manager.email)
    html = client.get("/reports/", query_string={"every": "week"}).get_data(as_text=True)
    assert '"today.open">3<' in html and '"today.unassigned">1<' in html
    assert html.count('role="img"') == 5
    for title in (
        "Opened and resolved per week",
        "Backlog at the end of each week",
        "Mean time to resolve by priority",
        "SLA targets met per week",
        "Satisfaction per week",
    ):
        assert f'-title">{title}</title>' in html, title
    assert "Week from 23 Nov 2026" in html and ">23 Nov<" in html  # table and axis labels
    assert "Avery Agent" in html and "Hardware" in html and "over 30 days" in html


def test_the_table_per_agent_counts_open_and_resolved(client, auth, history: History):
    auth.login(history.manager.email)
    html = client.get("/reports/").get_data(as_text=True)
    start = html.index('aria-labelledby="agents-title"')
    table = html[start : html.index("</table>", start)]
    rows = re.findall(r'title="([^"]+)">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', table)
    # Avery: the Wi-Fi incident open, the VPN one resolved; Blake: the laptop's resolution
    # withdrawn, so open again and resolved by nobody.
    assert [row[1:] for row in rows] == [("Avery Agent", "1", "1"), ("Blake Agent", "1", "0")]


def test_csv_rows_equal_the_flattened_kpis(client, auth, history: History):
    auth.login(history.manager.email)
    rows = csv_rows(client, "/reports/kpis.csv")
    measures = kpi_rows(kpis(DEFAULT, ReportFilter()))
    assert rows[0] == ["measure", "value"]
    assert rows[1:] == [[name, cell_text(value)] for name, value in measures]
    assert ["mttr_seconds.by_priority.P1.median", "5400.0"] in rows
    assert ["fcr_rate", "1.0"] in rows and ["mtbf_seconds_by_service.Wi-Fi", ""] in rows
    response = client.get("/reports/kpis.csv", query_string={"from": "2026-11-27"})
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="kpis-2026-11-27-to-2026-11-30.csv"'


def test_series_csv_has_a_row_per_period(client, auth, history: History):
    auth.login(history.manager.email)
    query = "from=2026-11-27&to=2026-11-30&every=day"
    rows = csv_rows(client, f"/reports/series.csv?{query}")
    periods = series(ReportRange(date(2026, 11, 27), date(2026, 11, 30)), ReportFilter(), "day")
    assert rows[0] == series_columns(periods)
    assert "mttr_P1" in rows[0] and "mttr_by_priority" not in rows[0]
    assert rows[1:] == [
        [cell_text(series_row(period)[column]) for column in rows[0]] for period in periods
    ]
    assert [row[0] for row in rows[1:]] == ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"]


def test_filters_narrow_the_numbers(client, auth, history: History):
    auth.login(history.manager.email)
    only = ReportFilter(team_id=history.network.id)
    rows = csv_rows(client, f"/reports/kpis.csv?team={history.network.id}")
    assert rows[1:] == [[n, cell_text(v)] for n, v in kpi_rows(kpis(DEFAULT, only))]
    assert dict(rows[1:])["opened"] == "1"
    html = client.get("/reports/", query_string={"channel": "email"}).get_data(as_text=True)
    assert page_measures(html)["opened"] == "1"
    html = client.get("/reports/", query_string={"priority": "1"}).get_data(as_text=True)
    assert page_measures(html)["opened"] == "1" and page_measures(html)["resolved"] == "1"


def test_an_admin_gives_and_withdraws_the_report_role(client, auth, app: Flask):
    admin, agent, user = gen_user("admin"), gen_user("agent"), gen_user()
    auth.login(admin.email)
    form = {"name": agent.name, "role": "agent", "active": "y", "reports": "y"}
    assert client.post(f"/admin/users/{agent.id}", data=form).status_code == 302
    db.session.refresh(agent)
    assert agent.reports is True
    assert 'checked id="reports"' in client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    form.pop("reports")
    assert client.post(f"/admin/users/{agent.id}", data=form).status_code == 302
    db.session.refresh(agent)
    assert agent.reports is False
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(
            AuditEvent.subject_type == "user", AuditEvent.subject_id == agent.id
        )
    ).all()
    assert actions == ["report_role_given", "report_role_withdrawn"]
    refused = {"name": user.name, "role": "user", "active": "y", "reports": "y"}
    response = client.post(f"/admin/users/{user.id}", data=refused)
    assert response.status_code == 422
    assert "Only agents can read reports" in response.get_data(as_text=True)


def test_axes_tick_in_round_numbers():
    assert charts.y_ticks(7, charts.COUNT) == [0, 2, 4, 6, 8]
    assert charts.y_ticks(0, charts.COUNT) == [0, 1]
    assert charts.y_ticks(2.5, charts.HOURS) == [0, 1, 2, 3]
    assert charts.y_ticks(0.3, charts.PERCENT) == [0, 25, 50, 75, 100]
    assert charts.y_ticks(4.5, charts.RATING) == [0, 1, 2, 3, 4, 5]


def test_a_line_breaks_where_nothing_was_measured_and_long_ranges_name_a_few_days():
    rows = [
        {"period": f"2026-11-{day:02}", "csat_average": None if day in (2, 3) else day % 5}
        for day in range(1, 31)
    ]
    drawn = charts.satisfaction(rows, "day", "in November")
    (series,) = drawn.series
    assert len(series.lines) == 2 and len(series.marks) == 28
    assert all(drawn.top <= mark.y <= drawn.bottom for mark in series.marks)
    assert [tick.label for tick in drawn.x_ticks] == [
        "1 Nov", "5 Nov", "9 Nov", "13 Nov", "17 Nov", "21 Nov", "25 Nov", "29 Nov"
    ]  # fmt: skip
    assert drawn.rows[1] == ("2 Nov 2026", ["—"]) and drawn.rows[4] == ("5 Nov 2026", ["0.00 of 5"])
    assert [tick.label for tick in drawn.y_ticks] == ["0", "1", "2", "3", "4", "5"]


def test_resolution_times_are_drawn_in_hours_and_written_readably():
    drawn = charts.resolution_by_priority(
        {"P1": {"mean": 5400.0}, "P3": {"mean": 30.0 * 3600}}, "in November"
    )
    assert [tick.label for tick in drawn.y_ticks] == ["0 h", "10 h", "20 h", "30 h"]
    assert drawn.rows == [("P1", ["1h 30m"]), ("P3", ["1d 6h"])]
    first, second = drawn.series[0].marks
    assert second.height == drawn.bottom - drawn.top and 0 < first.height < second.height / 10


def test_a_long_line_marks_only_its_lonely_points():
    values = [1.0] * 70 + [None, 2.0, None] + [3.0] * 30
    rows = [{"period": "2026-01-01", "backlog": value} for value in values]
    drawn = charts.backlog(rows, "day", "in 2026")
    (series,) = drawn.series
    assert len(series.lines) == 3 and [mark.text for mark in series.marks] == ["2"]


def test_every_reports_route_is_tried(app: Flask):
    endpoints = {
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("reports.")
    }
    assert endpoints == set(PAGES)
