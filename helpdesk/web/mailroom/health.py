"""Gateway health page: last poll, last error, mail waiting, quarantine, outbox backlog.

Agents see how the mail gateway is doing; admins also see the outbound mail that was given
up on or could not be rendered (a template fault), each with the reason and a Retry button
that puts it back in the queue, to be rendered again.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk.incidents import DomainError
from helpdesk.web.mailroom.blueprint import bp
from helpdesk.web.roles import admin_required, agent_required
from helpdesk.web.view_helpers import refused
from mail_gateway import health as gateway_health
from mail_gateway import outbox


class RetryForm(FlaskForm):
    """The Retry button of a given-up message: nothing but the CSRF token."""


@bp.get("/health")
@agent_required
def health() -> str:
    """Show the gateway's health; admins also get the given-up outbound mail."""
    return render_template(
        "mailroom/health.html",
        health=gateway_health.snapshot(with_failed=current_user.is_admin),
    )


@bp.post("/outbox/<int:email_id>/retry")
@admin_required
def retry_outbound(email_id: int) -> Response:
    """Put a given-up message back in the outbox, due now."""
    form = RetryForm()
    if not form.validate_on_submit():
        flash("The form expired; please try again.", "error")
    else:
        try:
            row = outbox.retry_failed(email_id)
        except DomainError as error:
            refused(error)
        else:
            flash(f"The message to {row.recipient} is queued again.", "success")
    return redirect(url_for("mailroom.health"))
