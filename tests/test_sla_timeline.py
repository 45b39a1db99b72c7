"""The SLA clock's timeline on the incident page: each target's stretches (running, paused,
met, breached) with the business time counted, so an agent sees why an incident is where it
is. Policy "Standard" on "Office hours" (UTC, Mon-Fri 09:00-17:00): a P4 answers in 8
business hours and resolves in 40; a P1 answers in 15 minutes around the clock."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, User
from helpdesk.sla.clock import MET, PAUSED, RUNNING, Segment
from helpdesk.sla_policies.clocks import clock_of
from helpdesk.web.agent.sla_timeline import BAR_WIDTH, bars
from tests.factories import PASSWORD, gen_incident, gen_user
from tests.sla_policy import seed_standard

MONDAY = datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def people(clock, app) -> tuple[User, User]:
    """The standard policy, a requester and an agent signed in to the console."""
    seed_standard()
    return gen_user(email="ada@example.org"), gen_user("agent", email="sam@example.org")


def held_for_the_user(requester: User, agent: User, clock) -> Incident:
    """A P4 opened Monday 09:00, answered at 10:00, on hold awaiting the user from 11:00 to
    14:00 (the requester answers), then worked until 16:00."""
    incident = gen_incident(requester, impact="low", urgency="medium", subject="Printer jams")
    clock.set(MONDAY + timedelta(hours=1))
    incidents.add_reply(incident, agent, "Which tray?", channel="agent")
    clock.set(MONDAY + timedelta(hours=2))
    incidents.change_status(incident, agent, "on_hold", hold_reason="awaiting_user")
    clock.set(MONDAY + timedelta(hours=5))
    incidents.add_reply(incident, requester, "Tray 2", channel="portal")
    clock.set(MONDAY + timedelta(hours=7))
    return incident


def rows(html: str) -> list[tuple[str, ...]]:
    """The timeline tables' rows as text: (clock, from, to, counted)."""
    found = re.findall(r'<tr class="segment-\w+">(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in found]
    return [tuple(" ".join(unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in r) for r in cells]


def incident_page(client, email: str, incident: Incident) -> str:
    client.post("/login", data={"email": email, "password": PASSWORD})
    response = client.get(f"/agent/incidents/{incident.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_clock_of_a_held_incident_shows_the_pause_and_counts_around_it(people, clock):
    incident = held_for_the_user(*people, clock)
    state = clock_of(incident, clock.now)
    assert state is not None
    resolution = state.resolution
    assert [(s.state, s.start.hour, s.end.hour, s.counted) for s in resolution.segments] == [
        (RUNNING, 9, 11, timedelta(hours=2)),
        (PAUSED, 11, 14, timedelta(0)),
        (RUNNING, 14, 16, timedelta(hours=2)),
    ]
    assert resolution.counted == timedelta(hours=4)
    # 36 business hours remain from Monday 16:00: 1 + 4 x 8 + 3, so the next Monday at 12:00.
    assert resolution.due_at == datetime(2026, 12, 7, 12, 0)
    assert resolution.due_at == incident.resolution_due_at  # the stored clock agrees
    assert [s.state for s in state.response.segments] == [RUNNING, MET]
    assert state.response.met_at == MONDAY + timedelta(hours=1)


def test_the_incident_page_shows_the_timeline(people, client, clock):
    requester, agent = people
    incident = held_for_the_user(requester, agent, clock)
    html = incident_page(client, agent.email, incident)
    assert "SLA clock" in html and "Policy <strong>Standard</strong>" in html
    assert "40h of business time, 4h counted" in " ".join(unescape(html).split())
    assert rows(html) == [
        ("Running", "2026-11-30 09:00 UTC", "2026-11-30 10:00 UTC", "1h"),
        ("Met", "2026-11-30 10:00 UTC", "2026-11-30 16:00 UTC", "none"),
        ("Running", "2026-11-30 09:00 UTC", "2026-11-30 11:00 UTC", "2h"),
        ("Paused (on hold)", "2026-11-30 11:00 UTC", "2026-11-30 14:00 UTC", "none"),
        ("Running", "2026-11-30 14:00 UTC", "2026-11-30 16:00 UTC", "2h"),
    ]
    assert '<rect class="seg-paused"' in html


def test_the_timeline_is_on_the_calendars_clock_whoever_looks(people, client, clock):
    requester, agent = people
    agent.timezone = "America/New_York"
    db.session.commit()
    incident = held_for_the_user(requester, agent, clock)
    html = incident_page(client, agent.email, incident)
    paused = [row for row in rows(html) if row[0].startswith("Paused")]
    assert paused == [("Paused (on hold)", "2026-11-30 11:00 UTC", "2026-11-30 14:00 UTC", "none")]
    assert "times on its clock (UTC)" in html


def test_a_breached_target_shows_when_and_how_long_it_ran_past_due(people, client, clock):
    requester, agent = people
    incident = gen_incident(requester, impact="high", urgency="high", subject="Site down")
    assert incident.priority == 1
    clock.advance(hours=1)  # the 15-minute response target ran out at 09:15
    html = incident_page(client, agent.email, incident)
    response = rows(html)[:2]
    assert response == [
        ("Running", "2026-11-30 09:00 UTC", "2026-11-30 09:15 UTC", "15m"),
        ("Running past due", "2026-11-30 09:15 UTC", "2026-11-30 10:00 UTC", "45m"),
    ]
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Breached 2026-11-30 09:15 UTC Overdue" in text


def test_no_policy_no_clock(clock, app, client):
    agent = gen_user("agent", email="sam@example.org")
    incident = gen_incident(subject="Before any policy was seeded")
    assert clock_of(incident, clock.now) is None
    assert "no clock runs on it" in incident_page(client, agent.email, incident)


def test_bars_are_as_wide_as_their_share_of_the_time():
    start = MONDAY
    segments = (
        Segment(start, start + timedelta(hours=1), RUNNING, timedelta(hours=1)),
        Segment(start + timedelta(hours=1), start + timedelta(hours=4), PAUSED, timedelta(0)),
    )
    laid = bars(segments)
    assert [(b.x, b.width) for b in laid] == [
        (0.0, BAR_WIDTH / 4),
        (BAR_WIDTH / 4, BAR_WIDTH * 3 / 4),
    ]
    assert bars(()) == ()
