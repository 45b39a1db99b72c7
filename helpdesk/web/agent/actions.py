"""Agent actions on one incident, each a POST that calls one service function.

Success redirects to the workbench with a flash (post/redirect/get). A refused action
rolls back whatever the service had begun, flashes its message and shows the workbench
again with the agent's input kept in the form.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import incidents, lifecycle
from helpdesk.core.validation import typed_text
from helpdesk.incidents import escalation
from helpdesk.incidents.attachments import new_attachments
from helpdesk.models import Incident
from helpdesk.priority import priority_label
from helpdesk.reads import incident_search
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import (
    AssignForm,
    ButtonForm,
    CancelForm,
    ClassifyForm,
    EscalateForm,
    MessageForm,
    ReferenceForm,
    ResolveForm,
    StatusForm,
)
from helpdesk.web.agent.workbench import render_workbench
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, applied, me

Outcome = Response | tuple[str, int]


def perform(incident: Incident, slot: str, form: FlaskForm, change: Callable[[], str]) -> Outcome:
    """Apply a valid form's change and redirect; else show the workbench with the form as sent."""
    if applied(form, change):
        return redirect(url_for("agent.incident", reference=incident.reference))
    return render_workbench(incident, UNPROCESSABLE, **{slot: form})


def other_incident(text: str | None) -> Incident:
    """Find the incident another action names by reference, or refuse with a clear message."""
    wanted = typed_text(text)
    if not wanted:
        raise incidents.InvalidInput("Enter an incident reference, like INC-000123.")
    found = incident_search.find_by_reference(wanted)
    if found is None:
        raise incidents.NotFound(f"There is no incident {wanted}.")
    return found


@bp.post("/incidents/<reference>/reply")
@agent_required
def reply(reference: str) -> Outcome:
    """Send a public reply (with files) that the requester receives by email."""
    incident = incident_or_404(reference)
    form = MessageForm(prefix="reply")

    def change() -> str:
        """Send the reply with its files."""
        files = new_attachments(form.attachments.data or [])
        incidents.add_reply(incident, me(), form.body.data, channel="agent", attachments=files)
        return "Your reply was sent to the requester."

    return perform(incident, "reply_form", form, change)


@bp.post("/incidents/<reference>/note")
@agent_required
def note(reference: str) -> Outcome:
    """Add an internal note (with files) that only agents see."""
    incident = incident_or_404(reference)
    form = MessageForm(prefix="note")

    def change() -> str:
        """Store the note with its files."""
        files = new_attachments(form.attachments.data or [])
        incidents.add_note(incident, me(), form.body.data, attachments=files)
        return "Internal note added."

    return perform(incident, "note_form", form, change)


@bp.post("/incidents/<reference>/assign")
@agent_required
def assign(reference: str) -> Outcome:
    """Assign to a team and optionally an agent; the service checks the agent is a member."""
    incident = incident_or_404(reference)
    form = AssignForm(prefix="assign")

    def change() -> str:
        """Assign, and say to whom."""
        incidents.assign(incident, me(), form.team.data, form.agent.data)
        team, agent = incident.assigned_team, incident.assigned_agent
        if team is None and agent is None:
            return "The incident is no longer assigned."
        return f"Assigned to {' / '.join(x.name for x in (team, agent) if x is not None)}."

    return perform(incident, "assign_form", form, change)


@bp.post("/incidents/<reference>/escalate")
@agent_required
def escalate(reference: str) -> Outcome:
    """Escalate to the chosen team or the assigned team's escalation team, with a reason."""
    incident = incident_or_404(reference)
    form = EscalateForm(prefix="escalate")

    def change() -> str:
        """Escalate, and say where to."""
        team = escalation.escalate(incident, me(), form.reason.data, form.team.data)
        return f"Escalated to {team.name}."

    return perform(incident, "escalate_form", form, change)


@bp.post("/incidents/<reference>/take-ownership")
@agent_required
def take_ownership(reference: str) -> Outcome:
    """Make the signed-in agent the incident's owner."""
    incident = incident_or_404(reference)

    def change() -> str:
        """Take ownership."""
        incidents.take_ownership(incident, me())
        return "You now own this incident."

    return perform(incident, "own_form", ButtonForm(), change)


@bp.post("/incidents/<reference>/classify")
@agent_required
def classify(reference: str) -> Outcome:
    """Set impact, urgency, category and service, and optionally override the priority."""
    incident = incident_or_404(reference)
    form = ClassifyForm(prefix="classify")

    def change() -> str:
        """Classify, and say the resulting priority."""
        incidents.classify(incident, me(), form.classification())
        return f"Classification saved. Priority is {priority_label(incident.priority)}."

    return perform(incident, "classify_form", form, change)


@bp.post("/incidents/<reference>/status")
@agent_required
def change_status(reference: str) -> Outcome:
    """Move to another allowed status; on hold needs a reason."""
    incident = incident_or_404(reference)
    form = StatusForm(prefix="status")

    def change() -> str:
        """Move to the chosen status."""
        incidents.change_status(incident, me(), form.target.data, form.hold_reason.data or None)
        return f"Status changed to {lifecycle.STATUS_LABELS[incident.status].lower()}."

    return perform(incident, "status_form", form, change)


@bp.post("/incidents/<reference>/resolve")
@agent_required
def resolve(reference: str) -> Outcome:
    """Resolve with a code and notes; the requester is asked to confirm."""
    incident = incident_or_404(reference)
    form = ResolveForm(prefix="resolve")

    def change() -> str:
        """Resolve with the chosen code."""
        incidents.resolve(
            incident, me(), form.code.data or "", form.notes.data, form.workaround.data
        )
        return "Resolved. The requester has been asked to confirm."

    return perform(incident, "resolve_form", form, change)


@bp.post("/incidents/<reference>/cancel")
@agent_required
def cancel(reference: str) -> Outcome:
    """Cancel an incident that needs no work, giving the reason."""
    incident = incident_or_404(reference)
    form = CancelForm(prefix="cancel")

    def change() -> str:
        """Cancel with the reason."""
        incidents.cancel(incident, me(), form.reason.data)
        return "The incident is cancelled."

    return perform(incident, "cancel_form", form, change)


@bp.post("/incidents/<reference>/links")
@agent_required
def link(reference: str) -> Outcome:
    """Record that another incident, named by reference, is related to this one."""
    incident = incident_or_404(reference)
    form = ReferenceForm(prefix="link")

    def change() -> str:
        """Link to the named incident."""
        other = other_incident(form.reference.data)
        incidents.link(incident, me(), other)
        return f"Linked to {other.reference}."

    return perform(incident, "link_form", form, change)


@bp.post("/incidents/<reference>/links/<other>/delete")
@agent_required
def unlink(reference: str, other: str) -> Outcome:
    """Remove the "related" link between this incident and another."""
    incident = incident_or_404(reference)
    related = incident_or_404(other)

    def change() -> str:
        """Remove the link."""
        incidents.unlink(incident, me(), related)
        return f"The link to {related.reference} is removed."

    return perform(incident, "unlink_form", ButtonForm(), change)


@bp.post("/incidents/<reference>/merge")
@agent_required
def merge(reference: str) -> Outcome:
    """Merge this incident, a duplicate, into another: its conversation moves there."""
    incident = incident_or_404(reference)
    form = ReferenceForm(prefix="merge")

    def change() -> str:
        """Merge into the named incident."""
        target = other_incident(form.reference.data)
        incidents.merge(incident, me(), target)
        return f"Merged into {target.reference}; this incident is closed."

    return perform(incident, "merge_form", form, change)


@bp.post("/incidents/<reference>/messages/<int:message_id>/reviewed")
@agent_required
def mark_reviewed(reference: str, message_id: int) -> Outcome:
    """Clear the review flag on mail from someone who is not on the incident."""
    incident = incident_or_404(reference)

    def change() -> str:
        """Mark the message as reviewed."""
        incidents.mark_reviewed(incident, message_id, me())
        return "Marked as reviewed. It stays an internal note."

    return perform(incident, "review_form", ButtonForm(), change)
