"""Rendering the incident page, which the GET view and every refused action share."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_wtf import FlaskForm

from helpdesk import lifecycle
from helpdesk.models import Incident, User
from helpdesk.reads import my_incidents
from helpdesk.web.portal.blueprint import bp
from helpdesk.web.portal.forms import RateForm, RejectForm, ReplyForm, WithdrawForm
from helpdesk.web.portal.presenters import standing_of


@dataclass(frozen=True)
class Allowed:
    """Which requester-side actions the page offers this viewer."""

    reply: bool
    confirm: bool
    rate: bool
    withdraw: bool


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
    """Read the attachment limits the service layer enforces from the config."""
    config = current_app.config
    return UploadLimits(int(config["MAX_ATTACHMENTS_PER_MESSAGE"]), int(config["MAX_UPLOAD_MB"]))


def allowed(incident: Incident, user: User) -> Allowed:
    """Offer actions only to people on the incident; agents visiting use their console."""
    involved = incident.involves(user)
    finished = incident.status in lifecycle.TERMINAL_STATUSES or incident.merged_into_id is not None
    return Allowed(
        reply=involved and not finished,
        confirm=involved and incident.status == lifecycle.RESOLVED,
        rate=incident.requester_id == user.id
        and incident.status in (lifecycle.RESOLVED, lifecycle.CLOSED)
        and incident.merged_into_id is None,
        withdraw=incident.requester_id == user.id
        and incident.status in lifecycle.OPEN_STATUSES
        and incident.merged_into_id is None,
    )


@bp.context_processor
def portal_wording() -> dict[str, object]:
    """Let portal templates say where an incident stands in the user's words."""
    return {"standing_of": standing_of}


def render_incident(
    incident: Incident, user: User, status: int = 200, **forms: FlaskForm
) -> tuple[str, int]:
    """Render the incident page with blank forms, except a failed one passed in with its input."""
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
        allowed=allowed(incident, user),
        limits=upload_limits(),
        **(blank | forms),
    )
    return page, status
