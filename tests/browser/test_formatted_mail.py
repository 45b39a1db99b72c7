"""An email's formatted body in a real Chromium: the workbench's sandboxed frame loads it
(the console's own pages refuse to be framed; this document allows its own origin)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mail_gateway.ingest import ingest
from tests.browser.test_golden_path import sign_in
from tests.factories import gen_team, gen_user
from tests.test_originals import html_mail

pytestmark = pytest.mark.browser


def test_show_formatted_renders_the_sanitized_html(live_server, new_page):
    with live_server.app.app_context():
        agent = gen_user("agent")
        gen_team("Service Desk", [agent], service_desk=True)
        reference = ingest(html_mail(), "imap://INBOX/1").reference
        email = agent.email
    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/agent/incidents/{reference}")
    page.get_by_text("Show formatted").click()
    body = page.frame_locator("details.formatted iframe").locator("body")
    expect(body.locator("b")).to_have_text("printer")
    expect(body.get_by_role("link", name="the manual")).to_have_attribute(
        "href", "https://printers.example/e13"
    )
    body.get_by_text("Hover").hover()
    assert dialogs == []
