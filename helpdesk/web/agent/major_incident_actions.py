"""The major-incident panel's actions on the incident page, each a POST calling one service
function through actions.perform: redirect on success, the workbench again (with the
agent's input) on refusal."""

from __future__ import annotations

from flask import abort

from helpdesk import directory, major_incidents
from helpdesk.models import Incident, MajorIncident
from helpdesk.reads import major_incidents as majors
from helpdesk.web.agent.actions import Outcome, other_incident, perform
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm, ReferenceForm
from helpdesk.web.agent.major_incident_forms import DeclareForm, ResolveMajorForm, UpdateForm
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me


def _major_or_404(incident: Incident) -> MajorIncident:
    """The incident's major side, or 404 for an incident that is not major."""
    return majors.major_of(incident) or abort(404)


@bp.post("/incidents/<reference>/major")
@agent_required
def declare_major(reference: str) -> Outcome:
    """Declare the incident a major incident (priority 1, public face, services)."""
    incident = incident_or_404(reference)
    form = DeclareForm(prefix="declare")
    form.offer(directory.entries("services"))

    def change() -> str:
        """Declare it."""
        major_incidents.declare(
            incident,
            me(),
            form.public_title.data or "",
            form.public_summary.data or "",
            form.service_ids(),
        )
        return f"{reference} is now a major incident (priority 1)."

    return perform(incident, "declare_form", form, change)


@bp.post("/incidents/<reference>/major/children")
@agent_required
def attach_child(reference: str) -> Outcome:
    """Attach another incident, named by reference, as a child."""
    incident = incident_or_404(reference)
    major = _major_or_404(incident)
    form = ReferenceForm(prefix="attach")

    def change() -> str:
        """Attach the named incident."""
        child = other_incident(form.reference.data)
        major_incidents.attach_child(major, child, me())
        return f"{child.reference} is attached; its requester gets the public updates."

    return perform(incident, "attach_form", form, change)


@bp.post("/incidents/<reference>/major/children/<other>/delete")
@agent_required
def detach_child(reference: str, other: str) -> Outcome:
    """Detach a child attached by mistake."""
    incident = incident_or_404(reference)
    major = _major_or_404(incident)
    attached = incident_or_404(other)

    def change() -> str:
        """Detach it."""
        major_incidents.detach_child(major, attached, me())
        return f"{attached.reference} is detached."

    return perform(incident, "detach_form", ButtonForm(), change)


@bp.post("/incidents/<reference>/major/updates")
@agent_required
def post_update(reference: str) -> Outcome:
    """Post a public update: the status page shows it, every subscriber gets it by email."""
    incident = incident_or_404(reference)
    major = _major_or_404(incident)
    form = UpdateForm(prefix="update")

    def change() -> str:
        """Post it."""
        major_incidents.post_update(major, me(), form.phase.data or "", form.body.data or "")
        return "The update is posted and on its way to the subscribers."

    return perform(incident, "update_form", form, change)


@bp.post("/incidents/<reference>/major/resolve")
@agent_required
def resolve_major(reference: str) -> Outcome:
    """Resolve the major incident and its open children, with a final public update."""
    incident = incident_or_404(reference)
    major = _major_or_404(incident)
    form = ResolveMajorForm(prefix="major-resolve")

    def change() -> str:
        """Resolve it."""
        resolved = major_incidents.resolve(
            major, me(), form.notes.data or "", form.public_message.data or ""
        )
        count = len(resolved)
        children = f"{count} open child" if count == 1 else f"{count} open children"
        return f"The major incident is resolved, and {children} with it."

    return perform(incident, "major_resolve_form", form, change)
