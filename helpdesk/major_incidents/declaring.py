"""Declaring an incident major: priority 1 (so its SLA clock runs on P1's targets), a public
title and summary for the banner and the status page, the affected services, and its
requester as the first subscriber."""

from __future__ import annotations

from collections.abc import Sequence

from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.validation import require_agent
from helpdesk.extensions import db
from helpdesk.incidents import Classification, classify
from helpdesk.incidents.audit import record
from helpdesk.major_incidents.checks import PUBLIC_TEXT_MAX
from helpdesk.major_incidents.events import MajorIncidentDeclared
from helpdesk.major_incidents.subscriptions import subscribe_requester
from helpdesk.models import Incident, MajorIncident, Service, User, utcnow
from helpdesk.reads.major_incidents import major_of

DECLARED_REASON = "Declared a major incident"
MAJOR_PRIORITY = 1
TITLE_MAX = 255


@unit_of_work
def declare(
    incident: Incident,
    actor: User,
    public_title: str,
    public_summary: str,
    service_ids: Sequence[int],
) -> MajorIncident:
    """Declare `incident` a major incident (agents only): priority 1 through the incident
    service's override, a public face, the affected services (ids, at least one), and its
    requester subscribed to the public updates."""
    require_agent(actor)
    _check_declarable(incident)
    title = check.required_text(public_title, "The public title", TITLE_MAX)
    summary = check.required_text(public_summary, "The public summary", PUBLIC_TEXT_MAX)
    services = _services(service_ids)
    if incident.priority != MAJOR_PRIORITY:
        classify(incident, actor, _priority_one(incident))
    major = MajorIncident(
        incident=incident,
        public_title=title,
        public_summary=summary,
        phase="investigating",
        declared_by=actor,
        declared_at=utcnow(),
        services=services,
    )
    db.session.add(major)
    db.session.flush()
    record(incident, actor, "major_declared", title=title, services=[s.name for s in services])
    subscribe_requester(major, incident, "declared", actor)
    events.publish(MajorIncidentDeclared(major, actor))
    commit()
    return major


def _check_declarable(incident: Incident) -> None:
    """Only an open incident that is neither major already nor a child can be declared."""
    name = incident.reference
    if major_of(incident) is not None:
        raise InvalidInput(f"{name} is already a major incident.")
    if incident.parent is not None:
        raise InvalidInput(
            f"{name} is a child of the major incident {incident.parent.reference}; "
            "detach it first to declare it major on its own."
        )
    if incident.merged_into_id is not None or not incident.is_open:
        raise InvalidInput(
            f"{name} is no longer open; only an open incident can be declared major."
        )


def _services(service_ids: Sequence[int]) -> list[Service]:
    """The affected services, active ones only, each once, at least one."""
    found: dict[int, Service] = {}
    for ident in service_ids:
        service = check.active_catalogue_entry(Service, ident, "service")
        if service is not None:
            found[service.id] = service
    if not found:
        raise InvalidInput("Choose at least one affected service.")
    return list(found.values())


def _priority_one(incident: Incident) -> Classification:
    """The incident's classification as it is, with priority 1 as an override and why."""
    return Classification(
        impact=incident.impact,
        urgency=incident.urgency,
        category_id=incident.category_id,
        service_id=incident.service_id,
        override_priority=MAJOR_PRIORITY,
        override_reason=DECLARED_REASON,
    )
