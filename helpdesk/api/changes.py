"""Changes through the API, for agents (as in the console): list and search them, create one
or mirror one from an external change system by its id (created the first time, updated
after: 201, then 200), read and change one, list the incidents it caused; and on an incident,
mark the change that caused it or clear it. Services are named as the catalogue lists them,
the implementer by address."""

from __future__ import annotations

from typing import Any

from flask import url_for
from spectree import Response

from helpdesk import changes
from helpdesk.api.auth import agents_only, caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.catalogue import entry_named
from helpdesk.api.change_schemas import (
    CausedIncidents,
    CauseIn,
    CauseOut,
    ChangeEdit,
    ChangeIn,
    ChangeOut,
    ChangePage,
    ChangeQuery,
)
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.incident_actions import WITH_BODY, agent_with
from helpdesk.api.incidents import summary_out, visible
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.schemas import sent
from helpdesk.core.errors import InvalidInput, NotFound
from helpdesk.core.unit import transaction
from helpdesk.models import Change, Incident
from helpdesk.reads import change_list
from helpdesk.reads.recent_changes import caused_incidents

TAGS = ["changes"]
AGENTS_WORK = "work with changes"
ON_CHANGE = {"HTTP_404": Problem, "HTTP_422": Problem, **REFUSALS}
READ = Response(HTTP_200=ChangeOut, HTTP_404=Problem, **REFUSALS)
CAUSE = Response(HTTP_200=CauseOut, **WITH_BODY)


def change_out(change: Change) -> ChangeOut:
    """The change as the API sends it."""
    return ChangeOut(
        reference=change.reference or "",
        external_id=change.external_id,
        title=change.title,
        description=change.description,
        status=change.status,
        services=[service.name for service in change.services],
        planned_start=change.planned_start,
        planned_end=change.planned_end,
        actual_start=change.actual_start,
        actual_end=change.actual_end,
        implementer=change.implementer.email if change.implementer else None,
        created_at=change.created_at,
        updated_at=change.updated_at,
    )


def _named(reference: str) -> Change:
    """The change a URL names, for an agent; else the 404 of no change."""
    agents_only(AGENTS_WORK)
    found = change_list.find_by_reference(reference)
    if found is None:
        raise NotFound(f"No change {reference[:40]}.")
    return found


def _service_ids(names: list[str]) -> list[int]:
    """The ids of the services named (an unknown name is refused with the names there are)."""
    return [ident for name in names if (ident := entry_named("services", name)) is not None]


@bp.get("/changes")
@requires("read")
@spec.validate(resp=Response(HTTP_200=ChangePage, **REFUSALS), tags=TAGS)
def change_index(query: ChangeQuery) -> ChangePage:
    """A page of changes, newest first, filtered by status and searched by reference,
    external id or words of the title (agents only)."""
    agents_only(AGENTS_WORK)
    filters = change_list.Filters(status=query.status, q=query.q or "")
    listing = change_list.listing(filters, query.page, query.per_page)
    after = query.model_dump(exclude_none=True) | {"page": listing.page + 1}
    return ChangePage(
        items=[change_out(change) for change in listing.items],
        page=listing.page,
        next=url_for("api.change_index", **after) if listing.has_next else None,
    )


@bp.post("/changes")
@requires("write")
@idempotent
@spec.validate(
    headers=IdempotencyHeaders,
    resp=Response(
        HTTP_201=ChangeOut, HTTP_200=ChangeOut, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS
    ),
    tags=TAGS,
)
def create_change(json: ChangeIn) -> tuple[ChangeOut, int, dict[str, str]]:
    """Record a change; with `external_id`, create or update the change an external system
    knows by that id (201 when created, 200 when updated) (agents only)."""
    agents_only(AGENTS_WORK)
    json = sent(json)
    plan = changes.ChangePlan(
        title=json.title,
        description=json.description,
        service_ids=_service_ids(json.services),
        planned_start=json.planned_start,
        planned_end=json.planned_end,
        implementer_id=agent_with(json.implementer),
    )
    if json.external_id is None:
        if json.status or json.actual_start or json.actual_end:
            raise InvalidInput("Status and actual times come with an external_id only.")
        change, created = changes.create_change(caller(), plan), True
    else:
        change, created = changes.record_external(
            caller(), json.external_id, plan, json.status, json.actual_start, json.actual_end
        )
    location = url_for("api.change", reference=change.reference)
    return change_out(change), 201 if created else 200, {"Location": location}


@bp.get("/changes/<reference>")
@requires("read")
@spec.validate(resp=READ, tags=TAGS)
def change(reference: str) -> ChangeOut:
    """One change by reference (agents only)."""
    return change_out(_named(reference))


def _edited(change: Change, edit: ChangeEdit) -> changes.ChangePlan:
    """The change's plan with the fields the edit sent replaced."""
    sent_fields: dict[str, Any] = edit.model_dump(exclude_unset=True)
    services = sent_fields.get("services")
    implementer = change.implementer.email if change.implementer else None
    return changes.ChangePlan(
        title=sent_fields.get("title") or change.title,
        description=sent_fields.get("description", change.description) or "",
        service_ids=_service_ids(services) if services else [s.id for s in change.services],
        planned_start=sent_fields.get("planned_start") or change.planned_start,
        planned_end=sent_fields.get("planned_end") or change.planned_end,
        implementer_id=agent_with(sent_fields.get("implementer", implementer)),
        external_id=sent_fields.get("external_id") or change.external_id,
    )


@bp.patch("/changes/<reference>")
@requires("write")
@spec.validate(resp=Response(HTTP_200=ChangeOut, **WITH_BODY), tags=TAGS)
def edit_change(reference: str, json: ChangeEdit) -> ChangeOut:
    """Change a change's fields and, with `status`, move it on (agents only)."""
    change = _named(reference)
    edit = sent(json)
    with transaction():
        changes.update_change(change, caller(), _edited(change, edit))
        if edit.status is not None and edit.status != change.status:
            changes.move(change, caller(), edit.status, edit.at)
    return change_out(change)


@bp.get("/changes/<reference>/incidents")
@requires("read")
@spec.validate(resp=Response(HTTP_200=CausedIncidents, **ON_CHANGE), tags=TAGS)
def change_incidents(reference: str) -> CausedIncidents:
    """The incidents marked as caused by the change, newest first (agents only)."""
    found = _named(reference)
    return CausedIncidents(items=[summary_out(incident) for incident in caused_incidents(found)])


def _cause(incident: Incident) -> CauseOut:
    """The incident's reference and the change marked as its cause."""
    cause = incident.caused_by_change
    return CauseOut(incident=incident.reference or "", change=change_out(cause) if cause else None)


@bp.post("/incidents/<reference>/change")
@requires("write")
@spec.validate(resp=CAUSE, tags=TAGS)
def mark_cause(reference: str, json: CauseIn) -> CauseOut:
    """Mark the incident as caused by the change named (agents only)."""
    incident = visible(reference)
    agents_only(AGENTS_WORK)
    changes.mark_caused_by(incident, changes.named_change(sent(json).change), caller())
    return _cause(incident)


@bp.delete("/incidents/<reference>/change")
@requires("write")
@spec.validate(resp=Response(HTTP_200=CauseOut, **ON_CHANGE), tags=TAGS)
def clear_cause(reference: str) -> CauseOut:
    """Clear the change marked as the incident's cause, if any (agents only)."""
    incident = visible(reference)
    agents_only(AGENTS_WORK)
    changes.clear_cause(incident, caller())
    return _cause(incident)
