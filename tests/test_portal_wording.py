"""The portal in the user's words: where an incident stands and what to expect, never the
service desk's status codes and priority names."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk import incidents, lifecycle
from helpdesk.promises import duration_in_words, service_promise
from helpdesk.sla.calendar import parse_calendar
from helpdesk.sla.clock import Target
from helpdesk.sla.spec import parse_policy
from helpdesk.web.portal.presenters import handled_by, portal_state
from tests.factories import gen_incident, gen_team, gen_user
from tests.sla_policy import OFFICE_HOURS, TARGETS, seed_standard

STANDARD = parse_policy({"calendar": OFFICE_HOURS, "targets": TARGETS})

# --- Pure wording -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "hold", "answered", "taken", "label"),
    [
        ("new", None, False, False, "Received"),
        ("new", None, False, True, "Picked up"),
        ("assigned", None, False, False, "Picked up"),
        ("new", None, True, False, "Answered by the service desk"),
        ("assigned", None, True, True, "Answered by the service desk"),
        ("in_progress", None, True, True, "In progress"),
        ("on_hold", "awaiting_user", True, True, "Waiting for your reply"),
        ("on_hold", "awaiting_vendor", True, True, "On hold"),
        ("resolved", None, True, True, "Resolved"),
        ("closed", None, True, True, "Closed"),
        ("cancelled", None, False, False, "Cancelled"),
    ],
)
def test_state_label_follows_what_happened(status, hold, answered, taken, label):
    assert portal_state(status, hold, answered, taken).label == label


def test_every_status_has_words():
    for status in lifecycle.STATUSES:
        state = portal_state(status, "awaiting_vendor", answered=False, taken=False)
        assert state.label and state.detail


def test_a_hold_says_what_it_waits_for():
    state = portal_state("on_hold", "awaiting_vendor", answered=True, taken=True)
    assert state.detail == "Work is paused: awaiting a vendor."


def test_a_merged_incident_says_so_whatever_its_status():
    assert portal_state("closed", None, True, True, merged=True).label == "Merged"


@pytest.mark.parametrize(
    ("target", "words"),
    [
        (Target(timedelta(minutes=15), around_the_clock=True), "15 minutes"),
        (Target(timedelta(hours=1), around_the_clock=True), "1 hour"),
        (Target(timedelta(hours=4), around_the_clock=True), "4 hours"),
        (Target(timedelta(hours=1, minutes=30), around_the_clock=True), "1 hour 30 minutes"),
        (Target(timedelta(hours=4)), "4 business hours"),
        (Target(timedelta(hours=8)), "1 business day"),
        (Target(timedelta(hours=80)), "10 business days"),
        (Target(timedelta(hours=12)), "12 business hours"),
    ],
)
def test_durations_in_words(target, words):
    assert duration_in_words(target, STANDARD.calendar) == words


def test_business_days_count_the_calendars_working_day():
    short_days = parse_calendar({"timezone": "UTC", "hours": {"mon": ["09:00-13:00"]}})
    assert duration_in_words(Target(timedelta(hours=8)), short_days) == "2 business days"


def test_a_working_day_is_the_calendars_most_common_one():
    """A lunch break makes a seven-hour day; a short Friday does not change what a day is."""
    hours = {day: ["09:00-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu")}
    calendar = parse_calendar(
        {"timezone": "Europe/Berlin", "hours": hours | {"fri": ["09:00-13:00"]}}
    )
    assert duration_in_words(Target(timedelta(hours=14)), calendar) == "2 business days"
    assert duration_in_words(Target(timedelta(hours=4)), calendar) == "4 business hours"


def test_around_the_clock_targets_are_never_business_days():
    assert duration_in_words(Target(timedelta(hours=16), True), STANDARD.calendar) == "16 hours"


def test_a_calendar_without_working_hours_says_hours():
    calendar = parse_calendar({"timezone": "UTC", "hours": {}})
    assert duration_in_words(Target(timedelta(hours=8)), calendar) == "8 business hours"


@pytest.mark.parametrize(
    ("priority", "promise"),
    [
        (1, "We aim to answer within 15 minutes and to resolve it within 4 hours of your report."),
        (
            5,
            "We aim to answer within 1 business day and to resolve it within 10 business days"
            " of your report.",
        ),
    ],
)
def test_the_promise_comes_from_the_sla_targets(priority, promise):
    assert service_promise("new", priority, answered=False, policy=STANDARD) == promise


def test_once_answered_only_the_resolution_is_promised():
    assert service_promise("in_progress", 3, answered=True, policy=STANDARD) == (
        "We aim to resolve it within 3 business days of your report."
    )


@pytest.mark.parametrize("status", ["resolved", "closed", "cancelled"])
def test_nothing_is_promised_once_it_is_over(status):
    assert service_promise(status, 5, answered=True, policy=STANDARD) is None


def test_no_policy_promises_nothing():
    assert service_promise("new", 5, answered=False, policy=None) is None


def test_handled_by_names_a_team_or_the_service_desk():
    assert handled_by("Network", "Service Desk", engaged=True) == "Network"
    assert handled_by(None, "Service Desk", engaged=False) == "Service Desk"
    assert handled_by(None, None, engaged=True) == "The service desk"
    assert handled_by(None, None, engaged=False) == "Not picked up yet"


# --- On the pages -----------------------------------------------------------------------


@pytest.fixture
def requester(auth):
    """An end user, signed in."""
    user = gen_user(name="Rita Requester")
    auth.login(user.email)
    return user


def test_an_agents_reply_without_assigning_reads_as_answered(client, requester):
    incident = gen_incident(requester)
    incidents.add_reply(incident, gen_user("agent"), "Have you tried the other tray?", "agent")
    assert incident.status == "new"  # the lifecycle is unchanged: only the wording is

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    listing = client.get("/my/incidents").get_data(as_text=True)

    assert 'class="badge status-new">Answered by the service desk<' in page
    assert "The service desk has replied" in page
    assert "Not yet assigned" not in page and ">New<" not in page
    assert "<dt>Handled by</dt><dd>The service desk</dd>" in page
    assert 'class="badge status-new">Answered by the service desk<' in listing


def test_the_priority_is_said_as_when_to_expect_an_answer(client, requester):
    seed_standard()
    incident = gen_incident(requester, urgency="low")
    assert incident.priority == 5

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    listing = client.get("/my/incidents").get_data(as_text=True)

    assert (
        "We aim to answer within 1 business day and to resolve it within 10 business days" in page
    )
    for text in (page, listing):
        assert "P5" not in text and "planning" not in text
    assert "<dt>Handled by</dt><dd>Not picked up yet</dd>" in page


def test_a_hold_for_a_vendor_is_explained(client, requester):
    agent = gen_user("agent")
    gen_team("Service Desk", [agent], service_desk=True)
    incident = gen_incident(requester)
    incidents.assign(incident, agent, None, agent.id)
    incidents.change_status(incident, agent, "on_hold", "awaiting_vendor")

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)

    assert 'class="badge status-on_hold">On hold<' in page
    assert "Work is paused: awaiting a vendor." in page
    assert "<dt>Handled by</dt><dd>Service Desk</dd>" in page


def test_a_resolved_incident_promises_nothing_more(client, requester):
    incident = gen_incident(requester)
    incidents.resolve(incident, gen_user("agent"), "fixed", "Cleared the print queue.")
    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    assert "We aim to" not in page
    assert 'class="badge status-resolved">Resolved<' in page


def test_an_incident_without_a_policy_promises_nothing(client, requester):
    incident = gen_incident(requester, urgency="low")
    assert incident.sla_policy_id is None

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)

    assert "We aim to" not in page
    assert 'class="badge status-new">Received<' in page


def test_a_reopened_incident_is_with_the_service_desk(client, requester):
    seed_standard()
    incident = gen_incident(requester)
    incidents.resolve(incident, gen_user("agent"), "fixed", "Cleared the print queue.")
    incidents.reject_resolution(incident, requester, "It jams again.")

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)

    assert 'class="badge status-in_progress">In progress<' in page
    assert "We aim to resolve it within 5 business days of your report." in page
    assert "<dt>Handled by</dt><dd>The service desk</dd>" in page
