"""Who an incident is for, from the workbench's People panel: copy someone on it, stop
copying them, or change the requester. Each is a POST that calls one service function, like
the other actions (actions.perform: redirect on success, the workbench again on refusal).

A person is named by name or address (people.person_for); an address nobody has yet
becomes a new account in the same transaction as the change, so a refused change leaves
no account behind.
"""

from __future__ import annotations

from flask import abort

from helpdesk import incidents
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.incidents.participants import person_label
from helpdesk.models import User
from helpdesk.web.agent.actions import Outcome, perform
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm, PersonForm
from helpdesk.web.agent.people import person_for
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me


@bp.post("/incidents/<reference>/participants")
@agent_required
def add_participant(reference: str) -> Outcome:
    """Copy a person on the incident; an unknown address becomes a new account."""
    incident = incident_or_404(reference)
    form = PersonForm(prefix="participant")

    def change() -> str:
        """Find or create the person and copy them."""
        with transaction():
            person = person_for(form.person.data)
            incidents.add_participant(incident, me(), person)
        return f"{person_label(person)} is copied on this incident."

    return perform(incident, "participant_form", form, change)


@bp.post("/incidents/<reference>/participants/<int:user_id>/delete")
@agent_required
def remove_participant(reference: str, user_id: int) -> Outcome:
    """Stop copying a person on the incident."""
    incident = incident_or_404(reference)
    person = db.session.get(User, user_id) or abort(404)

    def change() -> str:
        """Remove the person from the participants."""
        incidents.remove_participant(incident, me(), person)
        return f"{person_label(person)} is no longer copied on this incident."

    return perform(incident, "participant_remove_form", ButtonForm(), change)


@bp.post("/incidents/<reference>/requester")
@agent_required
def change_requester(reference: str) -> Outcome:
    """Make another person the requester; the old requester stays on as a participant."""
    incident = incident_or_404(reference)
    form = PersonForm(prefix="requester")

    def change() -> str:
        """Find or create the person and make them the requester."""
        previous = person_label(incident.requester)
        with transaction():
            person = person_for(form.person.data)
            incidents.change_requester(incident, me(), person)
        return (
            f"{person_label(person)} is now the requester; {previous} stays copied on the incident."
        )

    return perform(incident, "requester_form", form, change)
