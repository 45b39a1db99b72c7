"""The recurring-incidents hint: N incidents on one service (or category) opened within the
window suggest a problem on their pages; N-1, or the N-th outside the window, do not; one
click opens a problem that links them all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk.config import DEFAULTS
from helpdesk.core.settings import ProblemSettings, Settings, SettingsError
from helpdesk.extensions import db
from helpdesk.models import Incident, Problem, User, utcnow
from helpdesk.reads.problem_hints import hint_for, recurring, recurring_now
from tests.conftest import ManualClock, reconfigure
from tests.factories import gen_category, gen_incident, gen_service


def vpn_incidents(count: int, clock: ManualClock, every_minutes: int = 10) -> list[Incident]:
    """`count` VPN incidents, one every few minutes."""
    vpn = db.session.scalar(select(Incident.service_id).where(Incident.service_id.is_not(None)))
    service_id = vpn or gen_service("VPN").id
    found = []
    for number in range(count):
        found.append(gen_incident(subject=f"VPN down {number}", service_id=service_id))
        clock.advance(minutes=every_minutes)
    return found


def test_the_hint_appears_at_n_and_not_at_n_minus_one(app: Flask, clock: ManualClock) -> None:
    opened = vpn_incidents(4, clock)
    assert hint_for(opened[-1], utcnow()) is None
    opened += vpn_incidents(1, clock)
    hint = hint_for(opened[0], utcnow())
    assert hint is not None
    assert hint.sentence == "5 incidents about VPN in 2 hours: open a problem?"
    assert sorted(hint.incident_ids) == [incident.id for incident in opened]


def test_an_incident_outside_the_window_is_not_counted(app: Flask, clock: ManualClock) -> None:
    first = vpn_incidents(1, clock, every_minutes=0)
    clock.advance(hours=2, minutes=1)
    rest = vpn_incidents(4, clock, every_minutes=0)
    assert hint_for(rest[-1], utcnow()) is None
    assert hint_for(first[0], utcnow()) is None
    rest += vpn_incidents(1, clock, every_minutes=0)
    hint = hint_for(rest[-1], utcnow())
    assert hint is not None and first[0].id not in hint.incident_ids
    assert hint_for(first[0], utcnow()) is None


def test_the_window_and_count_are_settings(app: Flask, clock: ManualClock) -> None:
    reconfigure(app, PROBLEM_HINT_INCIDENTS=3, PROBLEM_HINT_WINDOW_HOURS=0.5)
    opened = vpn_incidents(2, clock, every_minutes=20)  # 09:00 and 09:20; now 09:40
    opened += vpn_incidents(1, clock, every_minutes=0)
    assert hint_for(opened[-1], utcnow()) is None  # 09:00 is out of the half hour
    opened += vpn_incidents(1, clock, every_minutes=0)
    hint = hint_for(opened[-1], utcnow())
    assert hint is not None and sorted(hint.incident_ids) == [i.id for i in opened[1:]]
    assert hint.sentence == "3 incidents about VPN in 0.5 hours: open a problem?"


def test_a_category_hints_when_there_is_no_service(app: Flask, clock: ManualClock) -> None:
    mail = gen_category("Email")
    opened = [gen_incident(category_id=mail.id) for _ in range(5)]
    hint = hint_for(opened[0], utcnow())
    assert hint is not None and (hint.kind, hint.about) == ("category", "Email")


def test_the_rule_is_pure() -> None:
    rule = ProblemSettings(hint_incidents=5, hint_window=timedelta(hours=2))
    assert recurring(5, rule) and not recurring(4, rule)


def test_one_click_opens_a_problem_linking_them(
    client: FlaskClient, auth, agent: User, clock: ManualClock
) -> None:
    opened = vpn_incidents(5, clock)
    auth.login(agent.email)
    page = client.get(f"/agent/incidents/{opened[2].reference}").get_data(as_text=True)
    assert "5 incidents about VPN in 2 hours: open a problem?" in page
    answer = client.post(f"/agent/incidents/{opened[2].reference}/problem/hint")
    problem = db.session.scalars(select(Problem)).one()
    assert answer.headers["Location"].endswith(f"/agent/problems/{problem.reference}")
    assert problem.title == "Recurring incidents about VPN"
    assert [service.name for service in problem.services] == ["VPN"]
    for incident in opened:
        db.session.refresh(incident)
        assert incident.problem_id == problem.id
    page = client.get(f"/agent/incidents/{opened[0].reference}").get_data(as_text=True)
    assert "open a problem?" not in page and problem.reference in page


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("PROBLEM_HINT_INCIDENTS", 1, "PROBLEM_HINT_INCIDENTS must be at least 2 (got 1)"),
        ("PROBLEM_HINT_INCIDENTS", "many", "PROBLEM_HINT_INCIDENTS must be a whole number"),
        ("PROBLEM_HINT_WINDOW_HOURS", 0, "PROBLEM_HINT_WINDOW_HOURS must be at least 0.25"),
    ],
)
def test_bad_hint_settings_are_refused(key: str, value: object, message: str) -> None:
    config = {**DEFAULTS, "ATTACHMENT_DIR": "a", "OUTBOX_DIR": "o", "SEARCH_INDEX_DIR": "s"}
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_config({**config, "MAILDROP_DIR": "m", key: value})


def test_the_default_hint_settings() -> None:
    made = ProblemSettings.from_config(DEFAULTS)
    assert (made.hint_incidents, made.hint_window) == (5, timedelta(hours=2))


def test_the_queues_list_recurring_services_and_categories(
    client: FlaskClient, auth, agent: User, clock: ManualClock
) -> None:
    opened = vpn_incidents(5, clock)
    mail = gen_category("Email")
    for _ in range(5):
        gen_incident(category_id=mail.id)
    gen_incident(category_id=gen_category("Printing").id)
    found = recurring_now(utcnow())
    assert [(hint.about, hint.count) for hint in found] == [("VPN", 5), ("Email", 5)]
    assert found[0].newest == opened[-1].reference
    auth.login(agent.email)
    page = client.get("/agent/queues/open").get_data(as_text=True)
    assert "5 incidents about VPN in 2 hours: open a problem?" in page
    assert f"Open one from {opened[-1].reference}" in page
    clock.advance(hours=3)
    assert recurring_now(utcnow()) == []
