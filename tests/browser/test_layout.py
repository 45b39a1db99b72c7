"""How agents' pages look in a real Chromium: row headers read like first cells on every
table, and the console uses a wide screen with one line per queue row."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from helpdesk import incidents, lifecycle
from helpdesk.kb import service as kb
from mail_gateway import health
from tests.browser.test_golden_path import sign_in
from tests.factories import gen_incident, gen_team, gen_user

pytestmark = pytest.mark.browser

LONG_SUBJECT = "The shared printer on the third floor " * 6
# Computed styles of the first row header and of a column header on the page.
HEADER_STYLES = """() => {
  const pick = (el) => {
    const style = getComputedStyle(el);
    return {transform: style.textTransform, size: parseFloat(style.fontSize)};
  };
  const table = document.querySelector("table.list");
  return {
    row: pick(table.querySelector('th[scope="row"]')),
    column: pick(table.querySelector('th[scope="col"]')),
    cell: pick(table.querySelector("td")),
  };
}"""


@pytest.fixture
def console(live_server, new_page) -> tuple[str, Page]:
    """An admin signed in, with a queue of incidents, an article, a search and a mailbox."""
    with live_server.app.app_context():
        admin = gen_user("admin", name="Ada Admin")
        gen_team("Service Desk", [admin], service_desk=True)
        requester = gen_user(name="Uma User")
        for number in range(3):
            gen_incident(requester, subject=f"{LONG_SUBJECT} ({number})")
        held = gen_incident(requester, subject="Waiting for the new toner")
        incidents.assign(held, admin, None, admin.id)
        incidents.change_status(held, admin, lifecycle.ON_HOLD, "awaiting_user")
        kb.create_article(admin, kb.ArticleContent("Reset your password", "Open the portal."))
        kb.record_search("printer toner", "user", 0)
        health.record_success("INBOX", 0)
        email = admin.email
    page = new_page()
    page.set_viewport_size({"width": 1600, "height": 900})
    sign_in(page, live_server.url, email)
    return live_server.url, page


@pytest.mark.parametrize("path", ["/kb/manage", "/kb/insights", "/agent/mail/health"])
def test_row_headers_read_like_first_cells(console, path):
    base, page = console
    page.goto(base + path)
    styles = page.evaluate(HEADER_STYLES)
    assert styles["column"]["transform"] == "uppercase"  # column headers keep small capitals
    assert styles["row"]["transform"] == "none"
    assert styles["row"]["size"] >= 0.85 * styles["cell"]["size"]


def test_queue_uses_the_width_and_keeps_rows_on_one_line(console):
    base, page = console
    page.goto(base + "/agent/queues/open")
    table = page.locator("table.queue").bounding_box()
    assert table is not None and table["width"] >= 0.85 * 1600
    # One line of text (a badge is a little taller) plus the cells' padding; two lines is more.
    one_line = page.evaluate(
        """() => {
          const style = getComputedStyle(document.querySelector("table.queue td"));
          const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
          return padding + parseFloat(style.borderBottomWidth) + 1.5 * parseFloat(style.lineHeight);
        }"""
    )
    rows = page.locator("table.queue tbody tr").all()
    assert len(rows) == 4
    for row in rows:
        box = row.bounding_box()
        assert box is not None and box["height"] < one_line, row.inner_text()
    subject = page.locator("table.queue td.subject", has_text="third floor").first
    assert subject.evaluate("cell => cell.scrollWidth > cell.clientWidth")  # cut with an ellipsis
