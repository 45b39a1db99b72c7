"""What agents see of the SLA clock in the queues: each row's time left on the target due
first, coloured and worded at the warning and the breach, and the "Breaching soon" queue.

Policy "Standard" on "Office hours" (UTC, Mon-Fri 09:00-17:00): a P4 answers in 8 business
hours (warned at 6), a P3 in 4 (warned at 3); a P1 in 15 minutes and a P2 in an hour around
the clock. The clock starts on Monday 2026-11-30 09:00 UTC.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest

from helpdesk import incidents
from helpdesk.models import Incident, User
from helpdesk.reads import queues
from helpdesk.sla_policies import clocks
from tests.factories import PASSWORD, gen_incident, gen_user
from tests.sla_policy import seed_standard

PRIORITIES = {
    1: ("high", "high"),
    2: ("high", "medium"),
    3: ("medium", "medium"),
    4: ("low", "medium"),
}


def at(hour: int, minute: int = 0) -> datetime:
    """A time on Monday 2026-11-30 (UTC)."""
    return datetime(2026, 11, 30, hour, minute)


def opened(priority: int, subject: str, requester: User | None = None) -> Incident:
    impact, urgency = PRIORITIES[priority]
    incident = gen_incident(requester, subject=subject, impact=impact, urgency=urgency)
    assert incident.priority == priority
    return incident


def worker_pass(clock, when: datetime) -> None:
    """Stand at `when` and run the scheduler's SLA pass, as `helpdesk worker` would."""
    clock.set(when)
    clocks.check_due(when)


@pytest.fixture
def agent(clock, app, client) -> User:
    """The standard policy, and an agent signed in to the console."""
    seed_standard()
    person = gen_user("agent", email="sam@example.org")
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    return person


def queue_rows(client, name: str = "open") -> dict[str, tuple[str, str]]:
    """Each row of a queue page by subject: its class and what its SLA cell says."""
    response = client.get(f"/agent/queues/{name}")
    assert response.status_code == 200
    rows = re.findall(r"<tr( class=\"(\w+)\")?>\s*<th scope=\"row\"(.*?)</tr>", response.text, re.S)
    found = {}
    for _, row_class, body in rows:
        subject = re.search(r'<td class="subject"><a [^>]*>(.*?)</a>', body).group(1)
        cell = re.search(r'<span class="sla-left[^"]*"[^>]*>(.*?)</span>', body)
        found[unescape(subject)] = (row_class, unescape(cell.group(1)) if cell else "")
    return found


def test_a_running_target_shows_the_time_left(agent, client, clock):
    opened(4, "Printer jams")
    clock.set(at(10, 30))
    assert queue_rows(client)["Printer jams"] == ("", "6h 30m left (response)")


def test_a_warned_target_is_coloured_and_says_warning(agent, client, clock):
    opened(4, "Printer jams")
    worker_pass(clock, at(15, 0))  # 6 of 8 business hours: warned
    assert queue_rows(client)["Printer jams"] == ("warning", "Warning: 2h left (response)")


def test_a_breached_target_says_how_long_it_is_overdue(agent, client, clock):
    opened(4, "Printer jams")
    worker_pass(clock, at(17, 0))  # breached at 17:00
    clock.set(at(19, 10))
    assert queue_rows(client)["Printer jams"] == ("overdue", "Overdue by 2h 10m (response)")


def test_the_target_due_first_is_shown_and_met_targets_drop_out(agent, client, clock):
    incident = opened(1, "Site down")  # response 09:15, resolution 13:00
    assert queue_rows(client)["Site down"] == ("", "15m left (response)")
    clock.set(at(9, 5))
    incidents.add_reply(incident, agent, "Looking at it", channel="agent")
    assert queue_rows(client)["Site down"] == ("", "3h 55m left (resolution)")


def test_a_paused_clock_says_so(agent, client, clock):
    incident = opened(4, "Printer jams")
    incidents.change_status(incident, agent, "on_hold", hold_reason="awaiting_user")
    clock.set(at(12, 0))
    assert queue_rows(client, "on_hold")["Printer jams"] == ("", "Clock paused")


def breaching_world(clock) -> dict[str, Incident]:
    """Incidents in every SLA state, judged by a worker pass at 15:30."""
    agent = gen_user("agent")
    made = {}
    made["warned"] = opened(4, "Warned at 15:00, due 17:00")
    made["breached"] = opened(1, "Both targets breached")
    made["met"] = opened(4, "Answered, resolution due Friday")
    made["held"] = opened(4, "On hold for the user")
    clock.set(at(9, 30))
    incidents.add_reply(made["met"], agent, "On it", channel="agent")
    clock.set(at(10, 0))
    incidents.change_status(made["held"], agent, "on_hold", hold_reason="awaiting_user")
    clock.set(at(12, 20))
    made["p3"] = opened(3, "Warned at 15:20, due 16:20")
    clock.set(at(15, 0))
    made["p2"] = opened(2, "Due 16:00, not warned yet")
    made["resolved"] = opened(2, "Resolved at once")
    incidents.resolve(made["resolved"], agent, "fixed", "Restarted it.")
    worker_pass(clock, at(15, 30))
    return made


@pytest.fixture
def breaching(db_app, clock):
    """The breaching world on SQLite and on PostgreSQL, and an agent to look at it."""
    seed_standard()
    made = breaching_world(clock)
    return gen_user("agent"), made


def test_breaching_soon_lists_warned_or_due_within_the_hour_earliest_first(breaching):
    viewer, made = breaching
    page = queues.load_page(queues.Listing(queues.BREACHING, viewer))
    assert [incident.id for incident in page.incidents] == [
        made["p2"].id,
        made["p3"].id,
        made["warned"].id,
    ]
    assert queues.queue_counts(viewer)[queues.BREACHING] == 3


def test_breaching_soon_pages_in_order(breaching):
    viewer, made = breaching
    first = queues.load_page(queues.Listing(queues.BREACHING, viewer, size=2))
    assert [i.id for i in first.incidents] == [made["p2"].id, made["p3"].id]
    cursor = queues.Cursor.decode(first.next_cursor, queues.BREACHING_SORTS["first_due"])
    second = queues.load_page(queues.Listing(queues.BREACHING, viewer, size=2, after=cursor))
    assert [i.id for i in second.incidents] == [made["warned"].id]


def test_breaching_soon_tab_and_page(agent, client, clock):
    breaching_world(clock)
    html = client.get("/agent/queues/breaching").text
    assert re.search(r'aria-current="page">Breaching soon\s*<span class="count">3<', html)
    rows = queue_rows(client, "breaching")
    assert list(rows) == [
        "Due 16:00, not warned yet",
        "Warned at 15:20, due 16:20",
        "Warned at 15:00, due 17:00",
    ]
    assert rows["Due 16:00, not warned yet"] == ("", "30m left (response)")
    assert rows["Warned at 15:20, due 16:20"] == ("warning", "Warning: 50m left (response)")


def test_breaching_soon_count_reads_only_those_breaching(agent, clock):
    plan = queues.sqlite_plan(queues.breaching_count_query(at(15, 30)))
    assert any("ix_incidents_sla_breaching_from" in line for line in plan), plan
    assert not [line for line in plan if line.startswith("SCAN incidents")], plan
