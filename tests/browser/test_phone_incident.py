"""Logging a phone call in a real browser: the agent finds the caller with the picker
(typing part of the name, choosing with the keyboard), logs the incident, and copies a
colleague of the caller's from the People panel with the mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from helpdesk.extensions import db
from helpdesk.models import Incident, OutboundEmail
from tests.browser.test_golden_path import sign_in
from tests.factories import gen_user

pytestmark = pytest.mark.browser


def test_an_agent_logs_a_phone_call_with_the_picker(live_server, new_page):
    base = live_server.url
    with live_server.app.app_context():
        agent_email = gen_user("agent", name="Dana Desk").email
        gen_user(name="Ann Lee", email="ann.lee@example.org")
        gen_user(name="Anna Berg", email="anna.berg@example.org")
        gen_user(name="Bob Ray", email="bob.ray@example.org")

    page = new_page()
    sign_in(page, base, agent_email)
    page.goto(f"{base}/agent/queues/mine")
    page.get_by_role("link", name="New incident").click()

    requester = page.get_by_role("combobox", name="Requester")
    requester.press_sequentially("ann", delay=20)
    options = page.get_by_role("listbox", name="Matching people").get_by_role("option")
    expect(options).to_have_count(2)
    expect(requester).to_have_attribute("aria-expanded", "true")
    requester.press("ArrowDown")
    requester.press("ArrowDown")
    requester.press("Enter")  # chooses Anna Berg; it does not submit the form
    expect(requester).to_have_value("anna.berg@example.org")
    expect(page.get_by_role("listbox", name="Matching people")).to_be_hidden()

    page.get_by_label("Phone").check()
    page.get_by_label("Subject").fill("Laptop will not start")
    page.get_by_label("Description").fill("Caller says the power light blinks orange.")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_role("button", name="Log incident").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "is logged for Anna Berg <anna.berg@example.org>"
    )

    participant = page.get_by_role("combobox", name="Copy someone")
    participant.press_sequentially("bob", delay=20)
    page.get_by_role("option", name="Bob Ray bob.ray@example.org").click()
    expect(participant).to_have_value("bob.ray@example.org")
    page.get_by_role("button", name="Copy on incident").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Bob Ray <bob.ray@example.org> is copied"
    )

    with live_server.app.app_context():
        [incident] = db.session.scalars(db.select(Incident)).all()
        assert (incident.requester.email, incident.channel, incident.urgency) == (
            "anna.berg@example.org",
            "phone",
            "high",
        )
        assert [p.email for p in incident.participants] == ["bob.ray@example.org"]
        recipients = db.session.scalars(db.select(OutboundEmail.recipient)).all()
        assert recipients == ["anna.berg@example.org"]
