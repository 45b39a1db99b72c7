"""The agent's console notices: the list, marking one or all read, and the unread count
every page's navigation shows (a context processor, so base.html asks only when it draws
an agent's navigation)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from helpdesk.incidents import DomainError
from helpdesk.notify import console
from helpdesk.reads import notices
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me, refused, unreadable


@bp.app_context_processor
def notice_count() -> dict[str, Any]:
    """`unread_notices()` for the navigation: the signed-in agent's unread count (0 for
    anyone else), counted only when a template calls it."""

    def unread_notices() -> int:
        if not (current_user.is_authenticated and current_user.is_agent):
            return 0
        try:
            return notices.unread_count(current_user.id)
        except SQLAlchemyError:  # the error page of a failed transaction still renders
            return 0

    return {"unread_notices": unread_notices}


@bp.get("/notices")
@agent_required
def notice_list() -> str:
    """The agent's notices, unread first, newest first."""
    return render_template(
        "agent/notices.html",
        notices=notices.newest(me().id),
        kinds=console.KINDS,
    )


@bp.post("/notices/<int:notice_id>/read")
@agent_required
def read_notice(notice_id: int) -> Response:
    """Mark one notice read."""
    return _mark(notice_id)


@bp.post("/notices/read")
@agent_required
def read_all_notices() -> Response:
    """Mark every notice read."""
    return _mark(None)


def _mark(notice_id: int | None) -> Response:
    """Mark one notice (or all) read and go back to the list."""
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            count = console.mark_read(me(), notice_id)
        except DomainError as error:
            refused(error)
        else:
            if notice_id is None:
                flash(f"Marked {count} notice{'s' if count != 1 else ''} read.", "success")
    else:
        unreadable(form)
    return redirect(url_for("agent.notice_list"))
