"""Logging an incident for a caller: the agent takes a call, a walk-in or a chat and files
the incident for the requester, who gets the same acknowledgement as for any incident.

The requester is whoever the picker chose or the agent typed (see people.py). A name that
matches several people, or no one, shows the form again with the matches to choose from
and a "new requester" part filled in as far as the typing allows; nothing typed is lost.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from helpdesk import accounts, directory, incidents
from helpdesk.core.unit import transaction
from helpdesk.incidents import DomainError
from helpdesk.incidents.attachments import new_attachments
from helpdesk.models import Incident, User
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import NewIncidentForm
from helpdesk.web.agent.people import match_person
from helpdesk.web.agent.workbench import upload_hint
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable


def _log(form: NewIncidentForm, requester: User | None) -> Incident:
    """Open the incident for the requester found, or for a new one created in the same
    transaction (so a refused report leaves no half-made account behind)."""
    report = form.report(new_attachments(form.attachments.data or []))
    with transaction():
        if requester is None:
            requester = accounts.ensure_user_for_email(form.new_email.data, form.new_name.data)
        return incidents.open_for_requester(me(), requester, report)


def _requester(form: NewIncidentForm) -> User | None:
    """The known person the form names, or None when a new requester is to be created;
    when the typing names no one for sure, offer what it matched and refuse."""
    if (form.new_email.data or "").strip():
        return None
    match = match_person(form.pick.data or form.requester.data)
    if match.person is not None:
        return match.person
    form.offer_people(match.candidates)
    if match.unknown_address is not None:
        form.new_email.data = match.unknown_address
        form.new_name.data = match.unknown_name
        raise incidents.InvalidInput(
            f"No one has the address {match.unknown_address}: "
            "check it, then create them as a new requester."
        )
    if match.candidates:
        raise incidents.InvalidInput("Several people match: choose the requester.")
    if match.typed:
        form.new_name.data = form.new_name.data or match.typed
    raise incidents.InvalidInput(
        "Choose the requester: type a name or an address, or create a new requester."
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
@agent_required
def new_incident() -> Response | tuple[str, int]:
    """Show the form, or log the incident and open it in the workbench."""
    form = NewIncidentForm()
    form.offer(directory.entries("categories"), directory.entries("services"))
    if form.validate_on_submit():
        try:
            incident = _log(form, _requester(form))
        except DomainError as error:
            refused(error)
        else:
            requester = incident.requester
            flash(
                f"{incident.reference} is logged for {requester.name} <{requester.email}>.",
                "success",
            )
            return redirect(url_for("agent.incident", reference=incident.reference))
    elif form.is_submitted():
        unreadable(form)
    status = UNPROCESSABLE if form.is_submitted() else 200
    page = render_template("agent/new_incident.html", form=form, upload_hint=upload_hint())
    return page, status
