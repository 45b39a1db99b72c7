"""Sending a problem's workaround to the requester of one of its incidents: a public reply
through the incident service, so it threads with the incident's mail and is audited there
(and on the problem, which says to whom it went)."""

from __future__ import annotations

from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents.conversation import add_reply
from helpdesk.models import Incident, Message, User
from helpdesk.problems.audit import record

INTRODUCTION = (
    "We are working on a permanent fix for this issue. Until then, this workaround should help:"
)


def workaround_reply(workaround: str) -> str:
    """The reply's text: a sentence of context, then the workaround as written."""
    return f"{INTRODUCTION}\n\n{workaround}"


@unit_of_work
def send_workaround(incident: Incident, actor: User, channel: str = "agent") -> Message:
    """Reply to the incident's requester with its problem's workaround."""
    check.require_agent(actor)
    problem = incident.problem
    if problem is None:
        raise InvalidInput(f"{incident.reference} is not linked to a problem.")
    if not problem.workaround:
        raise InvalidInput(f"{problem.reference} has no workaround to send yet.")
    message = add_reply(incident, actor, workaround_reply(problem.workaround), channel=channel)
    record(problem, actor, "workaround_sent", reference=incident.reference, message_id=message.id)
    commit()
    return message
