"""Creating and editing changes: references, checks with clear refusals, the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from helpdesk import changes
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.extensions import db
from helpdesk.models import AuditEvent
from helpdesk.models.audit import CHANGE
from tests.changes.helpers import gen_change, plan
from tests.factories import gen_service, gen_user


def trail(change) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(CHANGE, change.id)).order_by(AuditEvent.id)
    )
    return [(row.action, row.details) for row in rows]


def test_a_change_gets_a_reference_and_its_fields(app, clock):
    agent, vpn, mail = gen_user("agent"), gen_service("VPN"), gen_service("Mail")
    implementer = gen_user("agent", name="Ivan")
    change = gen_change(agent, vpn, mail, implementer_id=implementer.id, external_id="JIRA-7")
    assert change.reference == f"CHG-{change.id:06d}"
    assert change.status == "planned" and change.created_by == agent
    assert [s.name for s in change.services] == ["Mail", "VPN"]
    assert change.implementer == implementer and change.external_id == "JIRA-7"
    assert change.planned_start == datetime(2026, 12, 1, 9, 0)
    assert trail(change) == [("created", {"external_id": "JIRA-7"})]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "Title cannot be empty."),
        ({"hours": -1}, "The planned end must be after the planned start."),
        ({"hours": 0}, "The planned end must be after the planned start."),
        ({"planned_end": None}, "Give the planned window"),
        ({"service_ids": []}, "Name at least one service"),
    ],
)
def test_refusals_say_what_is_wrong(app, clock, fields, message):
    agent = gen_user("agent")
    with pytest.raises(InvalidInput, match=message):
        changes.create_change(agent, plan(gen_service(), **fields))
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == CHANGE)).all() == []
    )


def test_unknown_service_and_non_agent_implementer_are_refused(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    with pytest.raises(NotFound, match="Unknown service"):
        changes.create_change(agent, plan(service_ids=[vpn.id, 99_999]))
    user = gen_user("user", name="Uma")
    with pytest.raises(InvalidInput, match="Uma cannot implement changes"):
        changes.create_change(agent, plan(vpn, implementer_id=user.id))


def test_only_agents_create_and_edit(app, clock):
    user, vpn = gen_user("user"), gen_service()
    with pytest.raises(NotAllowed):
        changes.create_change(user, plan(vpn))
    change = gen_change(gen_user("agent"), vpn)
    with pytest.raises(NotAllowed):
        changes.update_change(change, user, plan(vpn, title="Mine now"))


def test_an_edit_records_what_changed_and_nothing_for_no_change(app, clock):
    agent, vpn, mail = gen_user("agent"), gen_service("VPN"), gen_service("Mail")
    change = gen_change(agent, vpn, start=datetime(2026, 12, 1, 20, 0))
    changes.update_change(change, agent, plan(vpn, start=datetime(2026, 12, 1, 20, 0)))
    assert [action for action, _ in trail(change)] == ["created"]
    later = plan(vpn, mail, start=datetime(2026, 12, 1, 22, 0), title="Upgrade the VPN")
    changes.update_change(change, agent, later)
    assert trail(change)[-1] == (
        "updated",
        {
            "changes": {
                "title": ["Upgrade the VPN concentrator", "Upgrade the VPN"],
                "planned_start": ["2026-12-01T20:00:00Z", "2026-12-01T22:00:00Z"],
                "planned_end": ["2026-12-01T22:00:00Z", "2026-12-02T00:00:00Z"],
                "services": [["VPN"], ["Mail", "VPN"]],
            }
        },
    )


def test_an_external_id_belongs_to_one_change(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    first = gen_change(agent, vpn, external_id="SN-1")
    second = gen_change(agent, vpn)
    with pytest.raises(InvalidInput, match=f"{first.reference} already has the external id"):
        changes.update_change(second, agent, plan(vpn, external_id="SN-1"))
    assert second.external_id is None


def test_a_refused_edit_leaves_the_change_as_it_was(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    change = gen_change(agent, vpn)
    start = change.planned_start
    with pytest.raises(InvalidInput):
        changes.update_change(change, agent, plan(vpn, start=start + timedelta(hours=1), title=""))
    db.session.expire_all()
    assert change.planned_start == start and change.title == "Upgrade the VPN concentrator"


def test_another_implementer_of_the_same_name_is_a_change(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    first, second = gen_user("agent", name="Alex Kim"), gen_user("agent", name="Alex Kim")
    change = gen_change(agent, vpn, implementer_id=first.id)
    changes.update_change(
        change, agent, plan(vpn, start=change.planned_start, implementer_id=second.id)
    )
    assert change.implementer == second
    labels = [f"Alex Kim <{first.email}>", f"Alex Kim <{second.email}>"]
    assert trail(change)[-1] == ("updated", {"changes": {"implementer": labels}})
