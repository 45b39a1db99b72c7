"""Portal actions on one incident: reply, confirm or reject the resolution, rate it, withdraw it.

Each is post/redirect/get: success redirects to the incident page with a flash. A refused
action renders the page again with the user's text still in the form, so nothing typed is
lost to a too-large attachment or a rule the service layer enforces.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import incidents, lifecycle
from helpdesk.incidents import DomainError
from helpdesk.incidents.attachments import new_attachments
from helpdesk.models import Incident
from helpdesk.web.lookup import incident_for
from helpdesk.web.portal.blueprint import bp
from helpdesk.web.portal.forms import ConfirmForm, RateForm, RejectForm, ReplyForm, WithdrawForm
from helpdesk.web.portal.page import render_incident
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused

Outcome = Response | tuple[str, int]


def perform(
    incident: Incident, slot: str, form: FlaskForm, change: Callable[[], object], done: str
) -> Outcome:
    """Apply a valid form's change and redirect, else show the page with the form as sent."""
    if form.validate_on_submit():
        try:
            change()
        except DomainError as error:
            refused(error)
        else:
            flash(done, "success")
            return redirect(url_for("portal.incident", reference=incident.reference))
    return render_incident(incident, me(), UNPROCESSABLE, **{slot: form})


@bp.post("/incidents/<reference>/reply")
@login_required
def reply(reference: str) -> Outcome:
    """Add a public reply with files; the service layer reopens a resolved incident."""
    incident = incident_for(me(), reference)
    form = ReplyForm()
    reopens = incident.status == lifecycle.RESOLVED
    return perform(
        incident,
        "reply_form",
        form,
        lambda: incidents.add_reply(
            incident,
            me(),
            form.body.data,
            channel="portal",
            attachments=new_attachments(form.attachments.data or []),
        ),
        "Your reply has been added and the incident is open again."
        if reopens
        else "Your reply has been added.",
    )


@bp.post("/incidents/<reference>/confirm")
@login_required
def confirm(reference: str) -> Outcome:
    """Confirm the resolution works, which closes the incident."""
    incident = incident_for(me(), reference)
    return perform(
        incident,
        "confirm_form",
        ConfirmForm(),
        lambda: incidents.confirm_resolution(incident, me()),
        "Thank you for confirming. The incident is closed.",
    )


@bp.post("/incidents/<reference>/reject")
@login_required
def reject(reference: str) -> Outcome:
    """Say the resolution did not work; the explanation joins the thread and it reopens."""
    incident = incident_for(me(), reference)
    form = RejectForm()
    return perform(
        incident,
        "reject_form",
        form,
        lambda: incidents.reject_resolution(incident, me(), form.explanation.data),
        "Thank you for telling us. The incident is open again and we will look at it.",
    )


@bp.post("/incidents/<reference>/rate")
@login_required
def rate(reference: str) -> Outcome:
    """Record (or change) the requester's satisfaction rating."""
    incident = incident_for(me(), reference)
    form = RateForm()
    return perform(
        incident,
        "rate_form",
        form,
        lambda: incidents.rate(incident, me(), form.rating.data, form.comment.data),
        "Thank you for your feedback.",
    )


@bp.post("/incidents/<reference>/withdraw")
@login_required
def withdraw(reference: str) -> Outcome:
    """The requester no longer needs help: cancel the incident, with their reason if given."""
    incident = incident_for(me(), reference)
    form = WithdrawForm()
    return perform(
        incident,
        "withdraw_form",
        form,
        lambda: incidents.withdraw(incident, me(), form.reason.data),
        "You have withdrawn this incident. We will not work on it any further.",
    )
