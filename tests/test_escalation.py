"""Escalation: an agent moves an incident to the next support tier with a reason, or the
helpdesk does it by itself at an SLA warning or breach when the policy says so; each is
recorded (who, why, from, to), shown on the incident, and the new team's lead is told.

The SLA policy here counts around the clock: response 1h, resolution 2h, warned at 75%
(45 minutes for the response). The clock starts on Monday 2026-11-30 09:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from helpdesk import directory, incidents, lifecycle
from helpdesk.extensions import db
from helpdesk.incidents import escalation
from helpdesk.models import AgentNotice, AuditEvent, Incident, Team, User, utcnow
from helpdesk.models.audit import INCIDENT
from helpdesk.sla_policies import clocks, store
from tests.factories import gen_incident, gen_team, gen_user
from tests.test_notify import inbox, text

ALWAYS = {"timezone": "UTC", "hours": {}}
TARGETS = {f"P{n}": {"response": "1h", "resolution": "2h", "clock": "24x7"} for n in range(1, 6)}


@dataclass
class Tiers:
    """The service desk escalates to Network, Network to Datacentre; each has a lead."""

    admin: User
    desk_agent: User
    desk_lead: User
    net_agent: User
    net_lead: User
    dc_lead: User
    desk: Team
    network: Team
    datacentre: Team
    requester: User


def lead(admin: User, team: Team, person: User, next_tier: Team | None) -> None:
    """Make `person` the team's lead and `next_tier` its escalation team, as an admin does."""
    directory.update_team(
        admin,
        team.id,
        team.name,
        team.description,
        team.is_service_desk,
        directory.TeamRouting(
            lead_id=person.id, escalation_team_id=next_tier.id if next_tier else None
        ),
    )


@pytest.fixture
def tiers(app, clock) -> Tiers:
    admin = gen_user("admin", name="Ada Admin")
    desk_agent, desk_lead = gen_user("agent", name="Dan Desk"), gen_user("agent", name="Lea Desk")
    net_agent, net_lead = gen_user("agent", name="Nia Net"), gen_user("agent", name="Ned Net")
    dc_lead = gen_user("agent", name="Cora Core")
    desk = gen_team("Service Desk", [desk_agent, desk_lead], service_desk=True)
    network = gen_team("Network", [net_agent, net_lead])
    datacentre = gen_team("Datacentre", [dc_lead])
    lead(admin, datacentre, dc_lead, None)
    lead(admin, network, net_lead, datacentre)
    lead(admin, desk, desk_lead, network)
    requester = gen_user(name="Rita Requester")
    return Tiers(
        admin,
        desk_agent,
        desk_lead,
        net_agent,
        net_lead,
        dc_lead,
        desk,
        network,
        datacentre,
        requester,
    )


def with_desk(tiers: Tiers) -> Incident:
    """An incident assigned to the service desk's agent, who owns it."""
    incident = gen_incident(tiers.requester, subject="VPN drops every hour")
    incidents.assign(incident, tiers.desk_agent, tiers.desk.id, tiers.desk_agent.id)
    incidents.take_ownership(incident, tiers.desk_agent)
    return incident


def escalations(incident: Incident) -> list[tuple[int | None, dict]]:
    """Who escalated the incident (None: the helpdesk) and the details, oldest first."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.about(INCIDENT, incident.id), AuditEvent.action == "escalated")
        .order_by(AuditEvent.id)
    )
    return [(row.actor_id, row.details) for row in rows]


def notices(person: User) -> list[tuple[str, str | None]]:
    """The kinds of console notice a person has, with the incident's reference."""
    rows = db.session.scalars(
        select(AgentNotice).where(AgentNotice.user_id == person.id).order_by(AgentNotice.id)
    )
    return [(row.kind, row.incident.reference if row.incident else None) for row in rows]


# --- By an agent -----------------------------------------------------------------------


def test_an_agent_escalates_to_the_teams_escalation_team(tiers) -> None:
    incident = with_desk(tiers)
    team = escalation.escalate(incident, tiers.desk_agent, "  The tunnel needs a specialist. ")
    assert team == tiers.network
    assert incident.assigned_team == tiers.network and incident.assigned_agent is None
    assert incident.owner_agent == tiers.desk_agent  # the service desk keeps ownership
    assert incident.status == lifecycle.ASSIGNED
    (recorded,) = escalations(incident)
    assert recorded == (
        tiers.desk_agent.id,
        {
            "team": "Network",
            "agent": None,
            "reason": "The tunnel needs a specialist.",
            "trigger": "agent",
            "from_team": "Service Desk",
        },
    )


def test_an_agent_escalates_to_a_team_of_their_choice(tiers) -> None:
    incident = with_desk(tiers)
    escalation.escalate(incident, tiers.desk_agent, "Rack B lost power.", tiers.datacentre.id)
    assert incident.assigned_team == tiers.datacentre
    assert escalations(incident)[0][1]["team"] == "Datacentre"


def test_the_new_teams_lead_gets_a_mail_and_a_notice(tiers) -> None:
    incident = with_desk(tiers)
    escalation.escalate(incident, tiers.desk_agent, "The tunnel needs a specialist.")
    (mail,) = [m for m in inbox(tiers.net_lead) if "escalated" in text(m)]
    body = text(mail)
    assert "escalated to Network from Service Desk by Dan Desk" in body
    assert "The tunnel needs a specialist." in body
    assert notices(tiers.net_lead) == [("escalated", incident.reference)]
    assert notices(tiers.desk_lead) == [] and notices(tiers.net_agent) == []
    # The team's agents hear of it as of any incident put in their queue.
    assert any(incident.reference in text(m) for m in inbox(tiers.net_agent))


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_escalation_needs_a_reason(tiers, reason) -> None:
    incident = with_desk(tiers)
    with pytest.raises(incidents.InvalidInput, match="Give the reason for escalating"):
        escalation.escalate(incident, tiers.desk_agent, reason)
    db.session.refresh(incident)
    assert incident.assigned_team == tiers.desk and escalations(incident) == []


def test_a_team_without_an_escalation_team_asks_for_one(tiers) -> None:
    incident = with_desk(tiers)
    escalation.escalate(incident, tiers.desk_agent, "Power.", tiers.datacentre.id)
    with pytest.raises(incidents.InvalidInput, match="Datacentre names no escalation team"):
        escalation.escalate(incident, tiers.dc_lead, "Even higher.")


def test_an_unassigned_incident_asks_for_the_team(tiers) -> None:
    incident = gen_incident(tiers.requester)
    with pytest.raises(incidents.InvalidInput, match="choose the team to escalate to"):
        escalation.escalate(incident, tiers.desk_agent, "Needs someone.")
    escalation.escalate(incident, tiers.desk_agent, "Needs someone.", tiers.network.id)
    assert incident.assigned_team == tiers.network and incident.status == lifecycle.ASSIGNED


def test_escalating_to_the_team_it_is_with_is_refused(tiers) -> None:
    incident = with_desk(tiers)
    with pytest.raises(incidents.InvalidInput, match="already with Service Desk"):
        escalation.escalate(incident, tiers.desk_agent, "Hm.", tiers.desk.id)


@pytest.mark.parametrize("end", ["resolve", "cancel"])
def test_a_resolved_or_cancelled_incident_is_not_escalated(tiers, end) -> None:
    incident = with_desk(tiers)
    if end == "resolve":
        incidents.resolve(incident, tiers.desk_agent, "fixed", "Replaced the router.")
    else:
        incidents.cancel(incident, tiers.desk_agent, "Raised twice.")
    with pytest.raises(incidents.InvalidInput, match="Only an open incident can be escalated"):
        escalation.escalate(incident, tiers.desk_agent, "Still bad.")


def test_only_agents_escalate(tiers) -> None:
    incident = with_desk(tiers)
    with pytest.raises(incidents.NotAllowed):
        escalation.escalate(incident, tiers.requester, "Hurry up.")


# --- On the incident page ---------------------------------------------------------------


def test_the_console_escalates_and_shows_who_why_from_and_to(tiers, client, auth) -> None:
    incident = with_desk(tiers)
    auth.login(tiers.desk_agent.email)
    page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    assert f'action="/agent/incidents/{incident.reference}/escalate"' in page
    # The team's escalation team is chosen already.
    assert f'<option selected value="{tiers.network.id}">Network</option>' in page

    url = f"/agent/incidents/{incident.reference}/escalate"
    response = client.post(url, data={"escalate-team": "", "escalate-reason": "Tunnel flaps."})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Escalated to Network." in page
    assert "Dan Desk escalated it from Service Desk to Network: Tunnel flaps." in page
    facts = page[
        page.index('id="facts-title"') : page.index("</section>", page.index('id="facts-title"'))
    ]
    assert "<dt>Escalated</dt>" in facts
    assert "Dan Desk escalated it from Service Desk to Network: Tunnel flaps." in facts


def test_the_console_shows_a_refused_escalation_with_the_typing_kept(tiers, client, auth):
    incident = with_desk(tiers)
    auth.login(tiers.desk_agent.email)
    url = f"/agent/incidents/{incident.reference}/escalate"
    response = client.post(
        url, data={"escalate-team": str(tiers.desk.id), "escalate-reason": "Loop test"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The incident is already with Service Desk." in page and "Loop test" in page


# --- By itself, on the worker's pass ----------------------------------------------------


def policy(escalate_on: str) -> None:
    """The default policy: 1h/2h around the clock, escalating as given."""
    store.create_calendar(None, "Always", ALWAYS)
    store.create_policy(
        None,
        "Around the clock",
        store.PolicyFields(
            calendar="Always", targets=TARGETS, is_default=True, escalate_on=escalate_on
        ),
    )


def tick(clock, **amount: float) -> None:
    """Let time pass and run the worker's SLA pass, twice (the second changes nothing)."""
    clock.advance(**amount)
    clocks.check_due(utcnow())
    clocks.check_due(utcnow())


def test_a_breach_escalates_by_itself_once(tiers, clock) -> None:
    policy("breach")
    incident = with_desk(tiers)
    tick(clock, minutes=50)  # warned, not breached
    assert incident.assigned_team == tiers.desk and escalations(incident) == []

    tick(clock, minutes=11)  # the response target was due at 10:00
    assert incident.assigned_team == tiers.network and incident.assigned_agent is None
    assert escalations(incident) == [
        (
            None,
            {
                "team": "Network",
                "agent": None,
                "reason": "The response target was breached",
                "trigger": "sla_breach",
                "from_team": "Service Desk",
            },
        )
    ]
    # The resolution breach later does not push it on to the next tier by itself.
    tick(clock, hours=2)
    assert incident.assigned_team == tiers.network and len(escalations(incident)) == 1


def test_a_warning_escalates_by_itself_when_the_policy_says_so(tiers, clock) -> None:
    policy("warning")
    incident = with_desk(tiers)
    tick(clock, minutes=46)  # 75% of the 1h response target
    assert incident.assigned_team == tiers.network
    ((actor, details),) = escalations(incident)
    assert actor is None and details["trigger"] == "sla_warning"
    assert details["reason"] == "The response target reached its warning share"


def test_never_escalates_nothing(tiers, clock) -> None:
    policy("never")
    incident = with_desk(tiers)
    tick(clock, hours=3)
    assert incident.response_breached_at is not None
    assert incident.resolution_breached_at is not None
    assert incident.assigned_team == tiers.desk and escalations(incident) == []


def test_both_targets_breached_in_one_pass_escalate_one_tier(tiers, clock) -> None:
    policy("breach")
    incident = with_desk(tiers)
    tick(clock, hours=3)  # the worker was down: both breached at once
    assert incident.assigned_team == tiers.network and len(escalations(incident)) == 1


def test_a_team_without_an_escalation_team_stays(tiers, clock) -> None:
    policy("breach")
    incident = with_desk(tiers)
    escalation.escalate(incident, tiers.desk_agent, "Power.", tiers.datacentre.id)
    tick(clock, hours=3)
    assert incident.assigned_team == tiers.datacentre and len(escalations(incident)) == 1


def test_an_automatic_escalation_that_moves_the_status_records_everything_once(
    tiers, clock
) -> None:
    """A team set without the status following (an import) is new: the escalation moves it
    to assigned inside the clock's own publishing, which recomputes the clock again."""
    policy("breach")
    incident = gen_incident(tiers.requester)
    incident.assigned_team = tiers.desk
    db.session.commit()
    assert incident.status == lifecycle.NEW
    tick(clock, minutes=61)
    assert incident.status == lifecycle.ASSIGNED and incident.assigned_team == tiers.network
    rows = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.about(INCIDENT, incident.id), AuditEvent.action.like("sla_%")
        )
    ).all()
    assert sorted(rows) == ["sla_breached", "sla_warned"]  # the response's, once each
    assert len(escalations(incident)) == 1
    tick(clock, minutes=1)
    assert len(escalations(incident)) == 1


def test_the_incident_page_says_it_escalated_automatically(tiers, clock, client, auth):
    policy("breach")
    incident = with_desk(tiers)
    tick(clock, minutes=61)
    auth.login(tiers.net_agent.email)
    page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    assert (
        "It was escalated automatically from Service Desk to Network: "
        "The response target was breached" in page
    )
