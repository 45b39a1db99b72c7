"""One-click links from emails: confirm a resolution, say it is still broken, rate an incident.

Nobody needs to sign in: the signed token in the URL names the incident, the person and the
action (helpdesk.notify.links). A GET only shows a page with a button, because mail scanners
and link previews fetch every link in a mail; only the POST changes anything. The forms are
FlaskForms, so the POST carries a CSRF token as well, and on success it redirects back to
the same link, which then shows where the incident stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import incidents
from helpdesk.incidents import DomainError
from helpdesk.notify import links
from helpdesk.notify.links import MailLink
from helpdesk.web.portal.forms import ConfirmForm, RateForm, RejectForm
from helpdesk.web.view_helpers import UNPROCESSABLE

bp = Blueprint("mail_links", __name__, url_prefix=links.URL_PREFIX)

STILL_BROKEN = "Still broken (from the email link)."
Page = Response | tuple[str, int]


@dataclass(frozen=True)
class Action:
    """What one kind of link shows and does."""

    form: type[FlaskForm]
    template: str
    done: str
    perform: Callable[[MailLink, FlaskForm], object]


ACTIONS = {
    links.CONFIRM: Action(
        ConfirmForm,
        "mail_links/confirm.html",
        "Thank you for confirming. The incident is closed.",
        lambda link, form: incidents.confirm_resolution(link.incident, link.user),
    ),
    links.REJECT: Action(
        RejectForm,
        "mail_links/reject.html",
        "Thank you for telling us. The incident is open again and we will look at it.",
        lambda link, form: incidents.reject_resolution(
            link.incident, link.user, form.explanation.data
        ),
    ),
    links.RATE: Action(
        RateForm,
        "mail_links/rate.html",
        "Thank you for your feedback.",
        lambda link, form: incidents.rate(
            link.incident, link.user, form.rating.data, form.comment.data
        ),
    ),
}


@bp.route("/<reference>/confirm/<token>", methods=["GET", "POST"])
def confirm(reference: str, token: str) -> Page:
    """'Yes, it is fixed': show the button, and close the incident when it is pressed."""
    return _handle(links.CONFIRM, reference, token)


@bp.route("/<reference>/reject/<token>", methods=["GET", "POST"])
def reject(reference: str, token: str) -> Page:
    """'No, it is still broken': ask what is wrong (prefilled), then reopen the incident."""
    return _handle(links.REJECT, reference, token, explanation=STILL_BROKEN)


@bp.route("/<reference>/rate/<token>", methods=["GET", "POST"])
def rate(reference: str, token: str) -> Page:
    """Rate the handling 1-5; the mail's number buttons preselect a rating with ?rating=N."""
    return _handle(links.RATE, reference, token, rating=request.args.get("rating", type=int))


def _handle(action: str, reference: str, token: str, **defaults: object) -> Page:
    """Check the token, then show the action's page or perform it (POST) and redirect back."""
    try:
        link = links.open_link(action, reference, token)
    except DomainError as error:
        return render_template(
            "mail_links/refused.html", reason=str(error), reference=reference
        ), 400
    if not link.current:
        return render_template("mail_links/standing.html", link=link, **_follow_ups(link)), 200
    spec = ACTIONS[action]
    form = spec.form(**defaults)
    if form.validate_on_submit():
        try:
            spec.perform(link, form)
        except DomainError as error:  # the service rolled its change back already
            flash(str(error), "error")
        else:
            flash(spec.done, "success")
            return redirect(url_for(f"mail_links.{action}", reference=reference, token=token))
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template(spec.template, link=link, form=form, **_follow_ups(link)), status


def _follow_ups(link: MailLink) -> dict[str, str | None]:
    """Where the person can go next: sign in to the incident, and rate it when they may."""
    incident = link.incident
    may_rate = (
        link.action != links.RATE
        and incident.requester_id == link.user.id
        and links.rateable(incident)
    )
    rate_token = links.token_for(links.RATE, incident, link.user) if may_rate else None
    return {
        "sign_in_url": url_for(
            "auth.login", next=url_for("portal.incident", reference=incident.reference)
        ),
        "rate_url": url_for("mail_links.rate", reference=incident.reference, token=rate_token)
        if rate_token
        else None,
    }
