"""The services' side of the allowed-actions policy (helpdesk.permissions): read the facts
from the models, and refuse with the policy's sentence before anything changes.

The pages ask `actions_for` which forms to show, so they offer exactly what `ensure` lets
through.
"""

from __future__ import annotations

from helpdesk import lifecycle
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.core.settings import settings
from helpdesk.models import Incident, User, utcnow
from helpdesk.permissions import Action, IncidentFacts, ViewerFacts, allowed_actions, refusal


def viewer_facts(actor: User | None, incident: Incident) -> ViewerFacts:
    """Who `actor` is to `incident`; None is the system, which works with an agent's rights."""
    if actor is None:
        return ViewerFacts(is_agent=True)
    return ViewerFacts(
        is_agent=actor.is_agent,
        is_requester=incident.requester_id == actor.id,
        is_participant=incident.copies(actor),
    )


def incident_facts(incident: Incident) -> IncidentFacts:
    """Where `incident` stands, including whether a reply may still reopen it."""
    merged = incident.merged_into
    return IncidentFacts(
        status=incident.status,
        reference=incident.reference or "",
        merged_into=(merged.reference or "") if merged is not None else None,
        reopen_window_open=_reopen_window_open(incident),
    )


def _reopen_window_open(incident: Incident) -> bool:
    """A resolved incident can be reopened by a reply only within the configured window."""
    if incident.status != lifecycle.RESOLVED or incident.resolved_at is None:
        return True
    return utcnow() - incident.resolved_at <= settings().reopen_window


def actions_for(user: User, incident: Incident) -> frozenset[Action]:
    """Every action `user` may take on `incident` now (what the pages offer)."""
    return allowed_actions(viewer_facts(user, incident), incident_facts(incident))


def ensure(
    action: Action, actor: User | None, incident: Incident, target: str | None = None
) -> None:
    """Raise NotAllowed (who) or InvalidInput (when) unless the policy allows the action."""
    refused = refusal(action, viewer_facts(actor, incident), incident_facts(incident), target)
    if refused is None:
        return
    if refused.by_role:
        raise NotAllowed(refused.sentence)
    raise InvalidInput(refused.sentence)
