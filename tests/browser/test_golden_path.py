"""The golden path in a real browser: a user reports, an agent replies and resolves,
the user confirms. Two browser contexts are two people with their own sessions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from helpdesk.extensions import db
from helpdesk.models import Incident
from tests.factories import PASSWORD, gen_category, gen_team, gen_user

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str) -> None:
    """Use the real sign-in form."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def form_with(page: Page, button: str):
    """The form that holds a given submit button (pages have several forms)."""
    return page.locator("form", has=page.get_by_role("button", name=button))


def report_incident(page: Page, base: str) -> str:
    """As the user, report an incident through the portal form; return its reference."""
    page.goto(f"{base}/my/incidents/new")
    page.get_by_label("Subject").fill("Laptop cannot reach the VPN")
    page.get_by_label("What happened?").fill("Since this morning the VPN client times out.")
    page.get_by_label("Category").select_option(label="Network")
    page.get_by_label("High - I cannot work at all").check()
    page.get_by_role("button", name="Report incident").click()
    expect(page.locator(".flash-success")).to_contain_text("has been reported")
    return re.search(r"INC-\d{6}", page.locator("h1").inner_text()).group(0)


def agent_replies_and_resolves(page: Page, base: str, reference: str) -> None:
    """As the agent, find the incident in the unassigned queue, answer it and resolve it."""
    page.goto(f"{base}/agent/queues/unassigned")
    page.get_by_role("link", name="Laptop cannot reach the VPN").click()
    expect(page.locator("h1")).to_contain_text(reference)
    reply = form_with(page, "Send reply")
    reply.get_by_label("Message").fill("Please update the VPN client to version 5.2.")
    reply.get_by_role("button", name="Send reply").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.locator("summary", has_text="Resolve").click()  # opens the <details> panel
    resolve = form_with(page, "Resolve")
    resolve.get_by_label("Resolution code").select_option("fixed")
    resolve.get_by_label("Resolution notes").fill("Client updated; connection works again.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(page.locator(".badge.status-resolved").first).to_be_visible()


def test_report_reply_resolve_confirm(live_server, new_page):
    base = live_server.url
    with live_server.app.app_context():
        agent = gen_user("agent", name="Sam Agent")
        gen_team("Service Desk", [agent], service_desk=True)
        gen_category("Network")
        agent_email, user_email = agent.email, gen_user(name="Uma User").email

    user_page = new_page()
    sign_in(user_page, base, user_email)
    reference = report_incident(user_page, base)

    agent_page = new_page()
    sign_in(agent_page, base, agent_email)
    agent_replies_and_resolves(agent_page, base, reference)

    user_page.reload()
    expect(user_page.get_by_text("Please update the VPN client to version 5.2.")).to_be_visible()
    expect(user_page.get_by_text("Client updated; connection works again.")).to_be_visible()
    user_page.get_by_role("button", name="Yes, it is fixed: close the incident").click()
    expect(user_page.locator(".badge.status-closed").first).to_be_visible()

    with live_server.app.app_context():
        incident = db.session.scalars(db.select(Incident).filter_by(reference=reference)).one()
        assert incident.status == "closed"
        assert incident.first_response_at is not None and incident.resolved_at is not None
