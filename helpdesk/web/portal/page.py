"""Rendering the incident page, which the GET view and every refused action share."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_wtf import FlaskForm

from helpdesk.core.settings import settings
from helpdesk.incidents import guard
from helpdesk.models import Incident, User
from helpdesk.permissions import PORTAL_ACTIONS, Action
from helpdesk.reads import my_incidents
from helpdesk.web.portal.blueprint import bp
from helpdesk.web.portal.forms import RateForm, RejectForm, ReplyForm, WithdrawForm
from helpdesk.web.portal.presenters import standing_of


@dataclass(frozen=True)
class UploadLimits:
    """The attachment limits, for the form hint and the browser-side check."""

    files: int
    megabytes: int

    @property
    def max_bytes(self) -> int:
        """The per-file limit in bytes."""
        return self.megabytes * 1024 * 1024

    @property
    def hint(self) -> str:
        """The limits in words, shown under the file input."""
        return f"Up to {self.files} files, at most {self.megabytes} MB each."


def upload_limits() -> UploadLimits:
    """The attachment limits the service layer enforces."""
    limits = settings().limits
    return UploadLimits(limits.max_attachments, limits.max_upload_mb)


def offered(incident: Incident, user: User) -> frozenset[Action]:
    """The requester's side's actions the policy allows `user` now, which the services
    enforce; offered only to people on the incident, since agents visiting use their console."""
    if not incident.involves(user):
        return frozenset()
    return guard.actions_for(user, incident) & PORTAL_ACTIONS


# The action behind each form that keeps what the user typed: refused, it stays on the page
# with their words even when the action is no longer offered (a reopen window that closed
# while they wrote), so nothing typed is lost.
TYPED_FORMS = {
    "reply_form": Action.REPLY,
    "reject_form": Action.REJECT,
    "rate_form": Action.RATE,
    "withdraw_form": Action.WITHDRAW,
}


@bp.context_processor
def portal_wording() -> dict[str, object]:
    """Let portal templates say where an incident stands in the user's words."""
    return {"standing_of": standing_of}


def render_incident(
    incident: Incident, user: User, status: int = 200, **forms: FlaskForm
) -> tuple[str, int]:
    """Render the incident page with blank forms, except a failed one passed in with its input."""
    refused = {TYPED_FORMS[slot] for slot in forms if slot in TYPED_FORMS}
    blank: dict[str, FlaskForm] = {
        "reply_form": ReplyForm(formdata=None),
        "reject_form": RejectForm(formdata=None),
        "rate_form": RateForm(
            formdata=None,
            rating=incident.satisfaction_rating,
            comment=incident.satisfaction_comment,
        ),
        "withdraw_form": WithdrawForm(formdata=None),
    }
    page = render_template(
        "portal/incident.html",
        incident=incident,
        thread=my_incidents.public_thread(incident),
        rejected=my_incidents.rejected_resolution(incident),
        allowed=offered(incident, user) | refused,
        Action=Action,
        limits=upload_limits(),
        **(blank | forms),
    )
    return page, status
