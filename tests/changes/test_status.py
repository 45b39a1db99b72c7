"""A change's status moves and the actual window they stamp."""

from __future__ import annotations

from datetime import datetime

import pytest

from helpdesk import changes
from helpdesk.core.errors import InvalidInput, NotAllowed
from tests.changes.helpers import gen_change
from tests.changes.test_records import trail
from tests.factories import gen_service, gen_user


def test_starting_and_completing_stamp_the_actual_window(app, clock):
    agent = gen_user("agent")
    change = gen_change(agent, gen_service())
    clock.advance(hours=1)
    changes.move(change, agent, "in_progress")
    assert change.actual_start == datetime(2026, 11, 30, 10, 0) and change.actual_end is None
    clock.advance(hours=2)
    changes.move(change, agent, "completed")
    assert change.actual_end == datetime(2026, 11, 30, 12, 0) and change.status == "completed"
    assert trail(change)[1:] == [
        (
            "status",
            {"from": "planned", "to": "in_progress", "actual_start": "2026-11-30T10:00:00Z"},
        ),
        (
            "status",
            {"from": "in_progress", "to": "completed", "actual_end": "2026-11-30T12:00:00Z"},
        ),
    ]


def test_times_given_are_kept(app, clock):
    agent = gen_user("agent")
    change = gen_change(agent, gen_service())
    changes.move(change, agent, "in_progress", at=datetime(2026, 11, 30, 7, 0))
    changes.move(change, agent, "failed", at=datetime(2026, 11, 30, 8, 30))
    assert (change.actual_start, change.actual_end) == (
        datetime(2026, 11, 30, 7, 0),
        datetime(2026, 11, 30, 8, 30),
    )


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (datetime(2026, 11, 30, 9, 30), "The actual end cannot be in the future"),
        (datetime(2026, 11, 30, 7, 0), "The actual end must be after the actual start"),
    ],
)
def test_an_impossible_end_is_refused(app, clock, at, message):
    agent = gen_user("agent")
    change = gen_change(agent, gen_service())
    changes.move(change, agent, "in_progress", at=datetime(2026, 11, 30, 8, 0))
    with pytest.raises(InvalidInput, match=message):
        changes.move(change, agent, "completed", at=at)
    assert change.status == "in_progress" and change.actual_end is None


def test_a_start_in_the_future_is_refused(app, clock):
    agent = gen_user("agent")
    change = gen_change(agent, gen_service())
    with pytest.raises(InvalidInput, match="The actual start cannot be in the future"):
        changes.move(change, agent, "in_progress", at=datetime(2026, 12, 1, 9, 0))


def test_moves_follow_the_lifecycle(app, clock):
    agent = gen_user("agent")
    change = gen_change(agent, gen_service())
    with pytest.raises(InvalidInput, match="is planned: it can move to in progress or cancelled"):
        changes.move(change, agent, "completed")
    changes.move(change, agent, "cancelled")
    assert change.actual_start is None and change.actual_end is None
    with pytest.raises(InvalidInput, match="is cancelled: its status no longer moves"):
        changes.move(change, agent, "in_progress")


def test_only_agents_move_changes(app, clock):
    change = gen_change(gen_user("agent"), gen_service())
    with pytest.raises(NotAllowed):
        changes.move(change, gen_user("user"), "in_progress")
