"""Recent changes to an incident's service: those whose window overlaps the 72 hours before
it was opened, the latest first; and the incidents a change caused."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk import changes
from helpdesk.models import Change, Service, User
from helpdesk.reads.recent_changes import caused_incidents, recent_changes
from tests.changes.helpers import gen_change
from tests.factories import gen_incident, gen_service, gen_user

OPENED = datetime(2026, 11, 30, 9, 0)  # the clock fixture's now


def ran(agent: User, service: Service, start: datetime, hours: float) -> Change:
    """A change planned long before, that ran from `start` for `hours`."""
    change = gen_change(agent, service, start=start - timedelta(days=30))
    changes.move(change, agent, "in_progress", at=start)
    changes.move(change, agent, "completed", at=start + timedelta(hours=hours))
    return change


def test_changes_that_ran_in_the_72_hours_before_show_the_latest_first(db_app, clock):
    agent, vpn = gen_user("agent"), gen_service("VPN")
    inside = ran(agent, vpn, OPENED - timedelta(hours=71), 1)
    later = ran(agent, vpn, OPENED - timedelta(hours=5), 1)
    too_old = ran(agent, vpn, OPENED - timedelta(hours=73), 0.5)  # ended 72.5 hours before
    overlapping = ran(agent, vpn, OPENED - timedelta(hours=74), 3)  # ended 71 hours before
    ran(agent, gen_service("Mail"), OPENED - timedelta(hours=2), 1)  # another service
    incident = gen_incident(service_id=vpn.id)
    found = recent_changes(incident)
    assert found == [later, inside, overlapping]
    assert too_old not in found


def test_a_change_still_running_counts(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    change = gen_change(agent, vpn, start=OPENED - timedelta(days=5))
    changes.move(change, agent, "in_progress", at=OPENED - timedelta(days=4))
    incident = gen_incident(service_id=vpn.id)
    assert recent_changes(incident) == [change]


def test_changes_after_the_incident_was_opened_do_not_count(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    incident = gen_incident(service_id=vpn.id)
    clock.advance(hours=1)
    change = gen_change(agent, vpn, start=OPENED - timedelta(days=1))
    changes.move(change, agent, "in_progress")  # started after the incident was opened
    assert recent_changes(incident) == []


def test_a_change_that_has_not_run_counts_by_its_planned_window(db_app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    planned = gen_change(agent, vpn, start=OPENED - timedelta(hours=10))
    long_ago = gen_change(agent, vpn, start=OPENED - timedelta(hours=80), hours=7)
    ahead = gen_change(agent, vpn, start=OPENED + timedelta(hours=1))
    cancelled = gen_change(agent, vpn, start=OPENED - timedelta(hours=3))
    changes.move(cancelled, agent, "cancelled")
    incident = gen_incident(service_id=vpn.id)
    assert recent_changes(incident) == [planned]
    assert not {long_ago, ahead, cancelled} & set(recent_changes(incident))


def test_an_incident_without_a_service_has_none(app, clock):
    gen_change(gen_user("agent"), gen_service(), start=OPENED - timedelta(hours=1))
    assert recent_changes(gen_incident()) == []


def test_the_incidents_a_change_caused(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    change = gen_change(agent, vpn, start=OPENED - timedelta(hours=1))
    first = gen_incident(service_id=vpn.id)
    clock.advance(minutes=5)
    second = gen_incident(service_id=vpn.id)
    gen_incident(service_id=vpn.id)
    changes.mark_caused_by(first, change, agent)
    changes.mark_caused_by(second, change, agent)
    assert caused_incidents(change) == [second, first]
