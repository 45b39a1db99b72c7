"""Which events email whom. The handlers here subscribe to the services' events
(helpdesk.incidents.events, helpdesk.accounts), which are published inside the service's
transaction, so a notification is queued if and only if the change that caused it commits.

    event                         recipients                          template
    incident opened               requester                           incident_opened
    agent's public reply          requester + participants            public_reply
    user's reply (or "broken")    assigned agent                      user_replied
    resolved                      requester + participants            resolved
    closed                        requester + participants            closed
    assigned to an agent          that agent                          assigned
    assigned to a team, no agent  the team's agents                   team_queue
    awaiting the user, reminded   requester                           awaiting_reminder
    SLA warning / breach          owner (or assigned) agent + lead    sla_warned / sla_breached
    escalated                     the new team's lead                 escalated
    review action overdue         the action item's owner             review_action_overdue

The SLA warnings, breaches and escalations also leave a notice in those agents' console
(console.py); a resolved problem leaves one for the agents of its open incidents
(problem_notices.py).

Nobody is mailed about their own action (the acknowledgement excepted: it is the receipt),
and audience.py drops inactive accounts, addresses that cannot be written in ASCII,
bouncing addresses and, for automatic notices, anyone over the hourly limit. Everything
except an agent's reply is an automatic notice.

A handler records each mail as an outbox row holding what it must say (intents.py); the
mail is rendered when the outbox is drained (delivery.py), never inside the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import tzinfo
from typing import Any

from flask import g

from helpdesk import lifecycle
from helpdesk.accounts import PasswordLinkIssued
from helpdesk.automation.events import AwaitingUserReminded
from helpdesk.channels import ALERT
from helpdesk.core import events, zones
from helpdesk.core.settings import settings
from helpdesk.core.urls import external_url
from helpdesk.incidents.events import (
    Assigned,
    Closed,
    Escalated,
    IncidentOpened,
    PublicReplyAdded,
    Resolved,
    SlaBreached,
    SlaWarned,
    StatusChanged,
    Withdrawn,
)
from helpdesk.models import Attachment, Incident, Message, Team, User
from helpdesk.notify import audience, console, links, problem_notices
from helpdesk.notify.addresses import ascii_address
from helpdesk.notify.compose import AUTO_GENERATED, AUTO_REPLIED, JsonValue, incident_subject
from helpdesk.notify.delivery import deliver_after_commit
from helpdesk.notify.intents import queue_email
from helpdesk.problems.events import ProblemResolved
from helpdesk.promises import service_promise
from helpdesk.reads.sla_policy import policy_of
from helpdesk.reviews.events import ActionOverdue

PersonalLinks = Callable[[User], dict[str, JsonValue]]
log = logging.getLogger(__name__)


@contextmanager
def suppressed() -> Iterator[None]:
    """Queue no mail inside this block (demo data and bulk imports)."""
    previous = g.get("notifications_suppressed", False)
    g.notifications_suppressed = True
    try:
        yield
    finally:
        g.notifications_suppressed = previous


def _enabled() -> bool:
    """Mail is on unless the config turns it off or a suppressed() block is running."""
    return settings().mail.notifications and not g.get("notifications_suppressed", False)


def _requester(incident: Incident) -> list[User]:
    """The requester, to be mailed; none for a monitoring alert's incident, whose requester
    is the integration's service account: a program, which reads no mail."""
    return [] if incident.channel == ALERT else [incident.requester]


def _requester_side(incident: Incident) -> list[User]:
    """The people the incident is for: the requester, then the participants."""
    return [*_requester(incident), *incident.participants]


def _portal(incident: Incident) -> str:
    """The incident's page on the portal, for the requester side."""
    return external_url("portal.incident", reference=incident.reference)


def _console(incident: Incident) -> str:
    """The incident's page in the agent console."""
    return external_url("agent.incident", reference=incident.reference)


def _notify(
    incident: Incident,
    candidates: Iterable[User | None],
    actor: User | None,
    template: str,
    automatic: bool = True,
    message: Message | None = None,
    attachments: Sequence[Attachment] = (),
    personal: PersonalLinks | None = None,
    offers: bool = False,
    opening_report: Message | None = None,
    **context: JsonValue,
) -> None:
    """Queue one mail per allowed recipient; `personal` adds per-person links (tokens);
    `offers`: the requester's mail lists matching help articles; `opening_report`: see
    intents.queue_email."""
    if not _enabled():
        return
    for person in audience.recipients(candidates, actor, automatic):
        queue_email(
            person,
            incident_subject(incident),
            template,
            incident,
            auto_submitted=AUTO_REPLIED if automatic else None,
            message=message,
            attachments=attachments,
            offers=offers and person.id == incident.requester_id,
            context={**context, **(personal(person) if personal else {})},
            opening_report=opening_report,
        )


def incident_opened(event: IncidentOpened) -> None:
    """Acknowledge a new incident to its requester, with the reference and a portal link;
    an emailed one also gets up to three public help articles with "this fixed it" links
    (the portal already offered articles while the user typed).

    Which articles is decided when the mail is rendered: those readable then, and the
    ranking, the dearest part of an acknowledgement, stays out of intake.
    """
    if not event.acknowledge:
        return
    incident = event.incident
    _notify(
        incident,
        _requester(incident),
        None,
        "incident_opened",
        offers=incident.channel == "email",
        opening_report=event.report,
        link=_portal(incident),
        promise=service_promise(
            incident.status,
            incident.priority,
            answered=incident.first_response_at is not None,
            policy=policy_of(incident),
        ),
    )


def public_reply(event: PublicReplyAdded) -> None:
    """Send an agent's public reply to the requester side; tell the agent of a user's reply."""
    incident, message = event.incident, event.message
    author = message.author
    if author is not None and author.is_agent:
        _notify(
            incident,
            _requester_side(incident),
            author,
            "public_reply",
            automatic=False,
            message=message,
            attachments=message.attachments,
            link=_portal(incident),
        )
    else:
        _notify(
            incident,
            [incident.assigned_agent],
            author,
            "user_replied",
            message=message,
            link=_console(incident),
        )


def withdrawn(event: Withdrawn) -> None:
    """Tell the agents working on it that the requester withdrew it, so nobody keeps on."""
    incident = event.incident
    _notify(
        incident,
        [incident.assigned_agent, incident.owner_agent],
        incident.requester,
        "withdrawn",
        reason=event.reason,
        link=_console(incident),
    )


def resolved(event: Resolved) -> None:
    """Tell the requester side it is resolved, with one-click confirm and "still broken" links."""
    incident = event.incident
    _notify(
        incident,
        _requester_side(incident),
        event.actor,
        "resolved",
        link=_portal(incident),
        personal=lambda person: {
            "confirm_url": links.url_for_link(links.CONFIRM, incident, person),
            "reject_url": links.url_for_link(links.REJECT, incident, person),
        },
    )


def closed(event: Closed) -> None:
    """The requester confirmed or solved it themselves: tell the requester side."""
    _closed(event.incident, event.actor)


def _closed(incident: Incident, actor: User | None) -> None:
    """Tell the requester side it is closed; the requester gets a link to rate it."""
    _notify(
        incident,
        _requester_side(incident),
        actor,
        "closed",
        link=_portal(incident),
        personal=lambda person: {
            "rate_url": links.url_for_link(links.RATE, incident, person)
            if person.id == incident.requester_id
            else None
        },
    )


def status_changed(event: StatusChanged) -> None:
    """Mail about a status an agent set by hand: closing it (other statuses show on the portal)."""
    if event.incident.status == lifecycle.CLOSED:
        _closed(event.incident, event.actor)


def assignment(event: Assigned) -> None:
    """Tell the new assignee, or the team whose queue it now waits in (unless that is where
    it already was)."""
    incident, team, agent, actor = event.incident, event.team, event.agent, event.actor
    if agent is not None:
        if agent.id != event.previous_agent_id:
            _notify(incident, [agent], actor, "assigned", team=_team(team), link=_console(incident))
    elif team is not None and (
        team.id != event.previous_team_id or event.previous_agent_id is not None
    ):
        members = [member for member in team.members if member.is_agent]
        _notify(incident, members, actor, "team_queue", team=_team(team), link=_console(incident))


def _team(team: Team | None) -> JsonValue:
    """The team as the mail names it (the snapshot holds values, not records)."""
    return {"name": team.name} if team is not None else None


def sla_alert(event: SlaWarned | SlaBreached) -> None:
    """Hierarchical escalation: tell the agent who answers for the incident (its owner, or
    else the agent assigned) and the lead of its team (the assigned team's, or else the
    owner team's) that a target was warned or breached, by mail and in the console."""
    incident = event.incident
    kind = "sla_warned" if isinstance(event, SlaWarned) else "sla_breached"
    people = _sla_audience(incident)
    console.write(people, incident, kind, target=event.target, at=event.at.isoformat())
    due = incident.response_due_at if event.target == "response" else incident.resolution_due_at
    _notify(
        incident,
        people,
        None,
        kind,
        target=event.target,
        link=_console(incident),
        personal=lambda person: {
            "at": zones.exact_time(event.at, _zone_of(person)),
            "due": zones.exact_time(due, _zone_of(person)) if due is not None else None,
        },
    )


def _sla_audience(incident: Incident) -> list[User | None]:
    """The owner agent (or the assigned one) and the first team lead there is."""
    lead = next(
        (team.lead for team in (incident.assigned_team, incident.owner_team) if team and team.lead),
        None,
    )
    return [incident.owner_agent or incident.assigned_agent, lead]


def escalated(event: Escalated) -> None:
    """Tell the lead of the team the incident was escalated to, why and from where (the
    team's agents hear of it as of any incident put in their queue, by `assignment`)."""
    incident, lead, to_team = event.incident, event.to_team.lead, event.to_team.name
    console.write(
        [lead],
        incident,
        "escalated",
        event.actor,
        from_team=event.from_team,
        to_team=to_team,
        reason=event.reason,
        trigger=event.trigger,
    )
    _notify(
        incident,
        [lead],
        event.actor,
        "escalated",
        by=event.actor.name if event.actor is not None else None,
        from_team=event.from_team,
        to_team=to_team,
        reason=event.reason,
        link=_console(incident),
    )


def password_link(event: PasswordLinkIssued) -> None:
    """Send a single-use link to set or reset a password (sent even for first-time setup;
    `registering`: someone entered the address on the registration form).

    It goes out even to a bouncing address: the person has just asked for it. It is
    plain text only, and auto-generated rather than a reply, so it never counts toward
    the hourly limit of automatic notices. An address that cannot be written in ASCII
    cannot get it at all (addresses.py).
    """
    user = event.user
    if ascii_address(user.email) is None:
        log.info("not mailing user %s a password link: %s", user.id, audience.NEEDS_SMTPUTF8)
        return
    queue_email(
        user,
        f"{settings().site.name}: set your password",
        "password_link",
        auto_submitted=AUTO_GENERATED,
        html=False,
        context={
            "link": event.link,
            "first_time": not user.has_password,
            "registering": event.registering,
        },
    )


def awaiting_user_reminded(event: AwaitingUserReminded) -> None:
    """Remind the requester that the incident waits for their answer, and on which day (in
    their own time zone) it is resolved without one. (The automatic resolution itself is
    the usual resolved mail, whose notes say why; the closing, the usual closed one.)"""
    incident, resolve_at = event.incident, event.resolve_at
    _notify(
        incident,
        _requester(incident),
        None,
        "awaiting_reminder",
        link=_portal(incident),
        question=event.question,
        personal=lambda person: {
            "resolve_on": zones.day(resolve_at, _zone_of(person)) if resolve_at else None
        },
    )


def action_overdue(event: ActionOverdue) -> None:
    """Remind the owner of a review's action item that it is past its due date, by mail and
    in the console (the worker publishes this once a day per overdue item)."""
    action = event.action
    review, incident = action.review, action.review.incident
    due_on = action.due_on.isoformat() if action.due_on else None
    console.write(
        [action.owner],
        incident,
        "review_action_due",
        review_id=review.id,
        title=action.title,
        due_on=due_on,
    )
    _notify(
        incident,
        [action.owner],
        None,
        "review_action_overdue",
        link=external_url("agent.review", review_id=review.id),
        title=action.title,
        due_on=due_on,
    )


def _zone_of(person: User) -> tzinfo:
    """The zone the person reads times in (mail says times on their own clock)."""
    return zones.zone_named(person.timezone)


def subscribe_to_events() -> None:
    """Have the services' events mail people, and the file transport deliver what a unit of
    work queued once it commits (the composition root calls this)."""
    handlers: list[tuple[type, Callable[[Any], None]]] = [
        (IncidentOpened, incident_opened),
        (PublicReplyAdded, public_reply),
        (Assigned, assignment),
        (StatusChanged, status_changed),
        (Resolved, resolved),
        (Closed, closed),
        (Withdrawn, withdrawn),
        (SlaWarned, sla_alert),
        (SlaBreached, sla_alert),
        (Escalated, escalated),
        (PasswordLinkIssued, password_link),
        (AwaitingUserReminded, awaiting_user_reminded),
        (ProblemResolved, problem_notices.problem_resolved),
        (ActionOverdue, action_overdue),
    ]
    for event_type, handler in handlers:
        events.subscribe(event_type, handler)
    events.after_commit(deliver_after_commit)
