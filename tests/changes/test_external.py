"""Changes mirrored from an external change system: one change per external id, however
often (and however concurrently) it is sent."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpdesk import changes
from helpdesk.core.errors import InvalidInput
from helpdesk.extensions import db
from helpdesk.models import Change, User
from tests.changes.helpers import plan
from tests.changes.test_records import trail
from tests.factories import gen_service, gen_user


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Change)) or 0


def test_the_same_external_id_twice_is_one_change_updated(app, clock):
    agent, vpn = gen_user("agent"), gen_service("VPN")
    first, created = changes.record_external(agent, "CHG0031", plan(vpn))
    assert created and first.reference and first.external_id == "CHG0031"
    again, created = changes.record_external(agent, "CHG0031", plan(vpn))
    assert again.id == first.id and not created and count() == 1
    assert [action for action, _ in trail(first)] == ["created"]  # a repeat records nothing
    changes.record_external(agent, "CHG0031", plan(vpn, title="Replace the VPN concentrator"))
    assert count() == 1 and first.title == "Replace the VPN concentrator"
    assert trail(first)[-1][0] == "updated"


def test_the_external_status_is_taken_as_it_is(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    start = datetime(2026, 11, 30, 6, 0)
    change, _ = changes.record_external(
        agent, "SN-9", plan(vpn), status="completed", actual_start=start
    )
    assert change.status == "completed" and change.actual_start == start
    assert change.actual_end == datetime(2026, 11, 30, 9, 0)  # completed now, as it said


def test_a_refused_mirror_creates_nothing(app, clock):
    agent = gen_user("agent")
    with pytest.raises(InvalidInput):
        changes.record_external(agent, "SN-10", plan(gen_service(), hours=-2))
    with pytest.raises(InvalidInput, match="Unknown change status"):
        changes.record_external(agent, "SN-10", plan(gen_service()), status="done")
    with pytest.raises(InvalidInput, match="External id cannot be empty"):
        changes.record_external(agent, " ", plan(gen_service()))
    assert count() == 0


RACE_WINDOW = (datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 1, 11, 0))


def _mirror(app: Flask, agent_id: int, service_id: int, start: threading.Barrier, done: list):
    with app.app_context():
        agent = db.session.get(User, agent_id)
        start.wait()
        _, created = changes.record_external(
            agent, "RACE-1", changes.ChangePlan("Racing", *RACE_WINDOW, service_ids=[service_id])
        )
        done.append(created)


@pytest.mark.postgres
def test_concurrent_mirrors_of_one_id_make_one_change(pg_app: Flask):
    agent, vpn = gen_user("agent"), gen_service()
    agent_id, vpn_id = agent.id, vpn.id
    db.session.remove()
    done: list[bool] = []
    start = threading.Barrier(4)
    threads = [
        threading.Thread(target=_mirror, args=(pg_app, agent_id, vpn_id, start, done))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(done) == [False, False, False, True]
    assert count() == 1
