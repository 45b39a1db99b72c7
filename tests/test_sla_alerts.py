"""Hierarchical escalation: on an SLA warning or breach, the agent who answers for the
incident (its owner, or else the agent assigned) and the lead of its team are mailed and
get a notice in the console, once per warning or breach however often the worker runs;
the notices page lists them and marks them read.

The policy counts around the clock: response 1h, resolution 2h, warned at 75%. The clock
starts on Monday 2026-11-30 09:00 UTC.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import directory, incidents
from helpdesk.extensions import db
from helpdesk.models import AgentNotice, Incident, User, utcnow
from helpdesk.notify import console
from helpdesk.sla_policies import clocks, store
from tests.conftest import make_app
from tests.factories import PASSWORD, gen_incident, gen_team, gen_user
from tests.test_notify import html, inbox, text

TARGETS = {f"P{n}": {"response": "1h", "resolution": "2h", "clock": "24x7"} for n in range(1, 6)}


@pytest.fixture
def people(app, clock) -> dict[str, User]:
    """A service desk with a lead and an agent, another agent, a requester; the policy."""
    store.create_calendar(None, "Always", {"timezone": "UTC", "hours": {}})
    store.create_policy(
        None,
        "Around the clock",
        store.PolicyFields(calendar="Always", targets=TARGETS, is_default=True),
    )
    crowd = {
        "admin": gen_user("admin", name="Ada Admin"),
        "owner": gen_user("agent", name="Olga Owner"),
        "lead": gen_user("agent", name="Lena Lead"),
        "other": gen_user("agent", name="Otto Other"),
        "requester": gen_user(name="Rita Requester"),
    }
    desk = gen_team("Service Desk", [crowd["owner"], crowd["lead"], crowd["other"]], True)
    directory.update_team(
        crowd["admin"],
        desk.id,
        desk.name,
        "",
        True,
        directory.TeamRouting(lead_id=crowd["lead"].id),
    )
    return crowd


def owned(people: dict[str, User]) -> Incident:
    """An incident the owner took and assigned to the service desk."""
    incident = gen_incident(people["requester"], subject="Payroll export fails")
    incidents.take_ownership(incident, people["owner"])
    incidents.assign(incident, people["owner"], incident.owner_team_id, None)  # the desk queue
    return incident


def tick(clock, **amount: float) -> None:
    """Let time pass and run the worker's SLA pass twice (the second changes nothing)."""
    clock.advance(**amount)
    clocks.check_due(utcnow())
    clocks.check_due(utcnow())


def alerts(person: User) -> list[str]:
    """The SLA mails a person got, by their first line."""
    lines = [text(mail).splitlines()[0] for mail in inbox(person)]
    return [line for line in lines if "target" in line]


def notices(person: User) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        select(AgentNotice).where(AgentNotice.user_id == person.id).order_by(AgentNotice.id)
    )
    return [(row.kind, row.details) for row in rows]


def test_the_owner_and_the_lead_hear_of_a_warning_and_a_breach_once(people, clock) -> None:
    incident = owned(people)
    ref = incident.reference
    tick(clock, minutes=46)
    warned = f"The response target of {ref} reached its warning share at 2026-11-30 09:45 UTC:"
    for person in (people["owner"], people["lead"]):
        assert alerts(person) == [warned]
        assert notices(person) == [
            ("sla_warned", {"target": "response", "at": "2026-11-30T09:45:00"})
        ]
    tick(clock, minutes=15)
    breached = f"The response target of {ref} was breached at 2026-11-30 10:00 UTC:"
    for person in (people["owner"], people["lead"]):
        assert alerts(person) == [warned, breached]
        assert [kind for kind, _ in notices(person)] == ["sla_warned", "sla_breached"]
    assert alerts(people["other"]) == [] and notices(people["other"]) == []
    assert notices(people["requester"]) == []


def test_the_mail_links_to_the_incident_in_the_console(people, clock) -> None:
    incident = owned(people)
    tick(clock, minutes=61)
    mail = next(m for m in inbox(people["lead"]) if "was breached" in text(m))
    link = f"http://helpdesk.test/agent/incidents/{incident.reference}"
    assert link in text(mail) and link in html(mail)
    assert "Payroll export fails" in text(mail) and "With Service Desk" in text(mail)


def test_without_an_owner_the_assigned_agent_is_told(people, clock) -> None:
    incident = gen_incident(people["requester"])
    incidents.assign(incident, people["lead"], None, people["other"].id)
    tick(clock, minutes=46)
    assert [kind for kind, _ in notices(people["other"])] == ["sla_warned"]
    assert [kind for kind, _ in notices(people["lead"])] == ["sla_warned"]
    assert notices(people["owner"]) == []


def test_a_lead_who_owns_the_incident_is_told_once(people, clock) -> None:
    incident = gen_incident(people["requester"])
    incidents.take_ownership(incident, people["lead"])
    incidents.assign(incident, people["lead"], None, people["lead"].id)
    tick(clock, minutes=46)
    assert len(alerts(people["lead"])) == 1 and len(notices(people["lead"])) == 1


# --- The console --------------------------------------------------------------------------


def test_the_notices_page_lists_and_marks_read(people, clock, client, auth) -> None:
    incident = owned(people)
    tick(clock, minutes=61)
    auth.login(people["owner"].email)
    page = client.get("/agent/queues/mine").get_data(as_text=True)
    assert 'aria-label="2 unread">2</span>' in page  # in the navigation, on every page

    page = client.get("/agent/notices").get_data(as_text=True)
    assert incident.reference in page
    assert "the response target reached its warning share" in page
    assert "the response target was breached" in page

    first = db.session.scalars(
        select(AgentNotice.id).where(AgentNotice.user_id == people["owner"].id)
    ).first()
    response = client.post(f"/agent/notices/{first}/read")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert 'aria-label="1 unread">1</span>' in page

    page = client.post("/agent/notices/read", follow_redirects=True).get_data(as_text=True)
    assert "Marked 1 notice read." in page and "unread</span>" not in page
    assert all(
        n.read_at is not None
        for n in db.session.scalars(
            select(AgentNotice).where(AgentNotice.user_id == people["owner"].id)
        )
    )
    # The lead's own notices are still unread.
    lead_unread = [
        n
        for n in db.session.scalars(
            select(AgentNotice).where(AgentNotice.user_id == people["lead"].id)
        )
        if n.read_at is None
    ]
    assert len(lead_unread) == 2


def test_an_agent_cannot_mark_another_agents_notice(people, clock, client, auth) -> None:
    owned(people)
    tick(clock, minutes=46)
    theirs = db.session.scalars(
        select(AgentNotice).where(AgentNotice.user_id == people["lead"].id)
    ).one()
    auth.login(people["other"].email)
    page = client.post(f"/agent/notices/{theirs.id}/read", follow_redirects=True)
    assert "There is no such notice." in page.get_data(as_text=True)
    db.session.refresh(theirs)
    assert theirs.read_at is None
    with pytest.raises(incidents.NotFound):
        console.mark_read(people["other"], theirs.id)


def test_marking_read_needs_the_csrf_token(tmp_path, clock) -> None:
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    with app.app_context():
        agent = gen_user("agent")
        incident = gen_incident(gen_user())
        console.write([agent], incident, "sla_breached", target="response", at="x")
        db.session.commit()
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post(
            "/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token}
        )
        assert client.get("/agent/notices").status_code == 200  # signed in
        assert client.post("/agent/notices/read").status_code == 400  # no token
        assert db.session.scalars(select(AgentNotice.read_at)).one() is None
        db.session.remove()


def test_the_mail_gives_the_times_in_each_persons_own_zone(people, clock) -> None:
    people["owner"].timezone = "Europe/Berlin"
    db.session.commit()
    incident = owned(people)
    tick(clock, minutes=46)
    (owners,) = [m for m in inbox(people["owner"]) if "warning share" in text(m)]
    (leads,) = [m for m in inbox(people["lead"]) if "warning share" in text(m)]
    assert f"{incident.reference} reached its warning share at 2026-11-30 10:45 CET" in text(owners)
    assert "It must be answered by 2026-11-30 11:00 CET." in text(owners)
    assert "It must be answered by 2026-11-30 11:00 CET." in html(owners)
    assert "It must be answered by 2026-11-30 10:00 UTC." in text(leads)
