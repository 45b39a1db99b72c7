"""The status page's views and the banner's context processor. Everything shown comes from
helpdesk.reads.major_incidents' public fields: never an incident's subject, notes or people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from helpdesk import major_incidents
from helpdesk.models import MajorIncident, utcnow
from helpdesk.reads import major_incidents as majors
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.view_helpers import applied, me

bp = Blueprint("status", __name__, url_prefix="/status")


@bp.app_context_processor
def banner() -> dict[str, Any]:
    """`major_banner()` for base.html: the current major incidents' public titles, read
    only when a page draws the banner."""

    def major_banner() -> list[majors.BannerEntry]:
        try:
            return majors.banner()
        except SQLAlchemyError:  # the error page of a failed transaction still renders
            return []

    return {"major_banner": major_banner}


@bp.get("")
def index() -> str:
    """Current and recently resolved major incidents, per affected service."""
    listed = majors.current_and_recent(utcnow())
    return render_template(
        "status/index.html",
        boards=majors.by_service(listed),
        updates=majors.updates_of(listed),
        current=[major for major in listed if major.is_current],
    )


@bp.get("/<reference>")
def major(reference: str) -> str:
    """One major incident's public summary and updates, with the subscribe buttons."""
    found = _major_or_404(reference)
    subscribed = current_user.is_authenticated and majors.subscription(found, me()) is not None
    return render_template(
        "status/major.html",
        major=found,
        updates=majors.updates(found),
        subscribed=subscribed,
        form=ButtonForm(),
    )


@bp.post("/<reference>/subscribe")
def subscribe(reference: str) -> Response:
    """ "I'm affected too": the signed-in person gets the public updates by email; anyone
    else is sent to sign in and comes back to the page."""
    found = _major_or_404(reference)
    if not current_user.is_authenticated:
        return _sign_in_first(found)
    return _button(found, lambda: major_incidents.subscribe(found, me(), "portal"), _SUBSCRIBED)


@bp.post("/<reference>/unsubscribe")
def unsubscribe(reference: str) -> Response:
    """ "Stop updates": no more public updates by email for the signed-in person."""
    found = _major_or_404(reference)
    if not current_user.is_authenticated:
        return _sign_in_first(found)
    return _button(found, lambda: major_incidents.unsubscribe(found, me()), _UNSUBSCRIBED)


_SUBSCRIBED = "You will get the updates by email."
_UNSUBSCRIBED = "You will get no more updates by email."


def _button(found: MajorIncident, change: Callable[[], object], done: str) -> Response:
    """Apply a one-click change and go back to the page, saying what happened or why not."""

    def apply() -> str:
        change()
        return done

    applied(ButtonForm(), apply)
    return redirect(_page(found))


def _sign_in_first(found: MajorIncident) -> Response:
    """Send a signed-out visitor to sign in, and back to the major incident's page."""
    flash("Sign in to get the updates by email.", "info")
    return redirect(url_for("auth.login", next=_page(found)))


def _page(found: MajorIncident) -> str:
    """The major incident's public page."""
    return url_for("status.major", reference=found.incident.reference)


def _major_or_404(reference: str) -> MajorIncident:
    """The major incident a URL names by its reference, else 404 (an incident that is not
    major is not public: the same 404 as none at all)."""
    found = majors.find(reference)
    if found is None:
        abort(404)
    return found
