"""The reports' dashboard in a real Chromium: every chart is drawn (a visible SVG image with
its title), the full page makes a screenshot, printing leaves the navigation and the filter
out, and the page breaks no rule of the CSP (which would show as a console error)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page

from helpdesk import incidents
from tests.browser.test_golden_path import sign_in
from tests.conftest import ManualClock
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user

pytestmark = pytest.mark.browser

RANGE = "?from=2026-11-23&to=2026-11-30"
TITLES = (
    "Opened and resolved per day",
    "Backlog at the end of each day",
    "Mean time to resolve by priority",
    "SLA targets met per day",
    "Satisfaction per day",
)
# What the browser reports about a chart: its drawn size and its title.
SVG_FACTS = """(svg) => {
  const box = svg.getBoundingClientRect();
  return {width: box.width, height: box.height, title: svg.querySelector("title").textContent};
}"""


@pytest.fixture
def dashboard(live_server, new_page, clock: ManualClock) -> tuple[Page, list[str]]:
    """An admin signed in on the dashboard of a week with a few incidents; the console's
    errors are collected."""
    with live_server.app.app_context():
        admin = gen_user("admin", name="Ada Admin")
        desk = gen_team("Service desk", [admin], service_desk=True)
        vpn, hardware = gen_service("VPN"), gen_category("Hardware")
        requester = gen_user(name="Uma User")
        for day in range(24, 30):
            clock.set(datetime(2026, 11, day, 9))
            high = "high" if day % 2 else "medium"
            incident = gen_incident(
                requester, impact=high, urgency="high", service_id=vpn.id, category_id=hardware.id
            )
            incidents.assign(incident, admin, desk.id, admin.id)
            clock.set(datetime(2026, 11, day, 9 + day % 4, 30))
            incidents.resolve(incident, admin, "fixed", "Restarted it.")
            if day % 3 == 0:
                incidents.confirm_resolution(incident, requester)
                incidents.rate(incident, requester, day % 5 + 1)
        gen_incident(requester, subject="Still open")
        clock.set(datetime(2026, 11, 30, 9))
        email = admin.email
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda message: _keep_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server.url, email)
    page.goto(live_server.url + "/reports/" + RANGE)
    return page, errors


def _keep_error(message: ConsoleMessage, errors: list[str]) -> None:
    """Keep a console message if it is an error (a CSP refusal is one), but for the
    favicon the app has none of."""
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        errors.append(message.text)


def test_every_chart_is_drawn_and_the_page_prints(dashboard, tmp_path: Path):
    page, errors = dashboard
    charts = page.locator("svg[role=img]")
    assert charts.count() == len(TITLES)
    for number, title in enumerate(TITLES):
        chart = charts.nth(number)
        assert chart.is_visible()
        facts = chart.evaluate(SVG_FACTS)
        assert facts["title"] == title
        assert facts["width"] > 200 and facts["height"] > 80, facts
    assert page.locator("#chart-volume rect").count() >= 6  # a bar for each day with any
    assert page.locator("#chart-backlog polyline").count() == 1

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 30_000

    assert page.locator("nav[aria-label=Main]").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav[aria-label=Main]").is_visible()
    assert not page.locator("form.report-filter").is_visible()
    assert all(charts.nth(number).is_visible() for number in range(len(TITLES)))
    assert errors == []
