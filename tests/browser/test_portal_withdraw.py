"""Withdrawing in a real browser: the form is folded away, and the tick box is the step
that confirms it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from helpdesk.extensions import db
from helpdesk.models import Incident
from tests.browser.test_golden_path import sign_in
from tests.factories import gen_incident, gen_user
from tests.sla_policy import seed_standard

pytestmark = pytest.mark.browser


def test_withdraw_asks_for_the_tick_then_cancels(live_server, new_page):
    base = live_server.url
    with live_server.app.app_context():
        seed_standard()
        user = gen_user(name="Uma User")
        email, reference = user.email, gen_incident(user, urgency="low").reference

    page = new_page()
    sign_in(page, base, email)
    page.goto(f"{base}/my/incidents/{reference}")
    expect(page.get_by_text("We aim to answer within 1 business day")).to_be_visible()
    withdraw = page.get_by_role("button", name="Withdraw the incident")
    expect(withdraw).to_be_hidden()

    page.locator("summary", has_text="Withdraw this incident").click()
    page.get_by_label("Why? (optional)").fill("It works again.")
    withdraw.click()
    expect(page.get_by_text("Please tick the box")).to_be_visible()
    page.get_by_label("Yes, I no longer need help with this incident").check()
    page.get_by_role("button", name="Withdraw the incident").click()

    expect(page.locator(".flash-success")).to_contain_text("You have withdrawn this incident.")
    expect(page.locator(".standing .badge")).to_have_text("Cancelled")
    with live_server.app.app_context():
        incident = db.session.scalars(db.select(Incident).filter_by(reference=reference)).one()
        assert incident.status == "cancelled"
