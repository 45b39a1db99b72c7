"""The read model behind "My incidents": reported and copied incidents, paged by public
activity, each counted once, on SQLite and on PostgreSQL; and its plans on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, utcnow
from helpdesk.reads import my_incidents, queues
from tests.factories import gen_incident, gen_user

CLOSED_STATUSES = ("closed", "cancelled")


def make_history():
    """A requester with seven incidents in the closed tab, reported and copied (one both),
    each with its own public activity time, plus others' incidents they have nothing to do
    with; return the requester, an agent, and the closed ones newest first."""
    me, agent = gen_user(name="Rita Requester"), gen_user("agent")
    start = utcnow() - timedelta(days=30)
    closed = []
    for number in range(7):
        reported = number % 2 == 0
        incident = gen_incident(me if reported else gen_user(), subject=f"Closed {number}")
        if not reported or number == 4:
            incident.participants.append(me)
        gen_incident(gen_user(), subject=f"Not mine {number}")
        closed.append(incident)
    db.session.commit()
    for number, incident in enumerate(closed):
        incidents.cancel(incident, agent, "Raised in error")
        moment = start + timedelta(hours=number)
        db.session.execute(
            update(Incident)
            .where(Incident.id == incident.id)
            .values(last_public_activity_at=moment, status=CLOSED_STATUSES[number % 2])
        )
    db.session.commit()
    return me, agent, [incident.id for incident in reversed(closed)]


@pytest.fixture
def history(db_app):
    """The history on SQLite and on PostgreSQL."""
    return make_history()


def listing(user, tab, page, per_page=3):
    """One page of a tab, as the portal asks for it."""
    return my_incidents.my_incidents(user, tab, page, per_page, my_incidents.copied_on(user))


def page_ids(user, tab, page, per_page=3):
    """The incident ids on one page of a tab."""
    return [incident.id for incident in listing(user, tab, page, per_page)]


def test_pages_mix_reported_and_copied_newest_first_each_once(history):
    me, _, newest_first = history

    pages = [page_ids(me, "closed", page) for page in (1, 2, 3)]

    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]
    first = listing(me, "closed", 1)
    assert (first.total, first.pages) == (7, 3)


def test_every_page_size_and_depth_gives_the_same_order(history):
    me, _, newest_first = history

    for per_page in (1, 2, 4):
        pages = range(1, len(newest_first) // per_page + 2)
        rows = [ident for page in pages for ident in page_ids(me, "closed", page, per_page)]
        assert rows[: len(newest_first)] == newest_first, per_page


def test_a_page_past_the_end_shows_the_last_page(history):
    me, _, newest_first = history

    last = listing(me, "closed", 10**12)

    assert last.page == 3
    assert [incident.id for incident in last] == newest_first[6:7]


def test_ties_on_activity_are_broken_by_the_newest_id(history):
    me, _, newest_first = history
    db.session.execute(
        update(Incident)
        .where(Incident.id.in_(newest_first))
        .values(last_public_activity_at=utcnow())
    )
    db.session.commit()

    assert page_ids(me, "closed", 1, per_page=10) == sorted(newest_first, reverse=True)


def test_the_open_tab_and_awaiting_confirmation_see_copied_incidents_too(history):
    me, agent, _ = history
    reported = gen_incident(me, subject="Mine, open")
    copied = gen_incident(gen_user(), subject="Copied, resolved")
    copied.participants.append(me)
    db.session.commit()
    incidents.resolve(copied, agent, "fixed", "Done.")

    assert set(page_ids(me, "open", 1)) == {reported.id, copied.id}
    waiting = my_incidents.awaiting_confirmation(me, my_incidents.copied_on(me))
    assert [incident.id for incident in waiting] == [copied.id]


def test_someone_with_no_incidents_gets_one_empty_page(db_app):
    empty = listing(gen_user(), "open", 5, per_page=25)

    assert (empty.page, empty.total, empty.items) == (1, 0, [])


def test_each_half_reads_its_own_index_not_every_incident_of_the_tab(app):
    me, _, _ = make_history()
    closed = ("closed", "cancelled")
    reported = [
        my_incidents.reported_page_query(me, closed, 0, 25),
        my_incidents.reported_count_query(me, closed),
    ]
    for statement in reported:
        plan = "\n".join(queues.sqlite_plan(statement))
        assert "COVERING INDEX ix_incidents_requester_status_activity" in plan
        assert "SCAN incidents" not in plan and "ix_incidents_status_activity" not in plan
    copied = my_incidents.copied_on_query(me)
    plan = queues.sqlite_plan(copied)
    assert plan == [
        "SEARCH incident_participants USING COVERING INDEX"
        " ix_incident_participants_user_incident (user_id=?)",
        "SEARCH incidents USING INTEGER PRIMARY KEY (rowid=?)",
    ]
