"""Quarantine pages: mail that could not be processed, with download, retry and discard."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk.incidents import DomainError, NotFound
from helpdesk.web.mailroom.blueprint import bp
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import refused
from mail_gateway import quarantine


class QuarantineActionForm(FlaskForm):
    """A Retry or Discard button: nothing but the CSRF token."""


@bp.get("/quarantine")
@agent_required
def quarantine_list() -> str:
    """List the quarantined mail waiting for an agent, newest first."""
    return render_template(
        "mailroom/quarantine.html",
        entries=quarantine.pending(),
        total=quarantine.pending_count(),
        limit=quarantine.LIST_LIMIT,
    )


@bp.get("/quarantine/<int:entry_id>/original.eml")
@agent_required
def quarantine_original(entry_id: int) -> Response:
    """Send the original email exactly as received, always as a download."""
    try:
        entry = quarantine.get(entry_id)
    except NotFound:
        abort(404)
    path = quarantine.original_path(entry)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="message/rfc822",
        as_attachment=True,
        download_name=f"quarantined-{entry.id}.eml",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/quarantine/<int:entry_id>/retry")
@agent_required
def quarantine_retry(entry_id: int) -> Response:
    """Run a quarantined email through the pipeline again and say what became of it."""

    def change() -> tuple[str, str]:
        """Retry, with a flash category that tells success from another failure."""
        result = quarantine.retry(entry_id, current_user._get_current_object())
        failed = result.outcome == "quarantined"
        return quarantine.retry_result_sentence(result), "error" if failed else "success"

    return _act(change)


@bp.post("/quarantine/<int:entry_id>/discard")
@agent_required
def quarantine_discard(entry_id: int) -> Response:
    """Give up on a quarantined email."""

    def change() -> tuple[str, str]:
        """Discard it."""
        quarantine.discard(entry_id, current_user._get_current_object())
        return "The email was discarded.", "success"

    return _act(change)


def _act(change: Callable[[], tuple[str, str]]) -> Response:
    """Check the CSRF token, apply the change, flash its sentence and go back to the list."""
    if not QuarantineActionForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
    else:
        try:
            message, category = change()
        except DomainError as error:
            refused(error)
        else:
            flash(message, category)
    return redirect(url_for("mailroom.quarantine_list"))
