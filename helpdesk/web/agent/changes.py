"""The change panel of the incident page: the change that caused it (with "clear"), the
changes to its service in the 72 hours before it was opened (each marked as the cause in
one click), and a form naming the change by reference. Each button posts to one view here,
which calls one service function and returns to the incident page saying what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import changes
from helpdesk.core.errors import DomainError, InvalidInput, NotFound
from helpdesk.models import Change, Incident
from helpdesk.reads.change_list import find_by_reference
from helpdesk.reads.recent_changes import LOOKBACK, recent_changes
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.change_forms import CauseForm
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me, refused, unreadable


def change_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name."""
    return {
        "caused_by": incident.caused_by_change,
        "recent_changes": recent_changes(incident),
        "recent_hours": int(LOOKBACK.total_seconds() // 3600),
        "change_labels": changes.STATUS_LABELS,
        "cause_form": CauseForm(formdata=None, prefix="cause"),
    }


def named_change(text: str | None) -> Change:
    """The change a form names by reference, or a refusal saying what to type."""
    found = find_by_reference(text)
    if found is None:
        wanted = (text or "").strip()[:40]
        if not wanted:
            raise InvalidInput("Enter a change reference, like CHG-000123.")
        raise NotFound(f"There is no change {wanted}.")
    return found


def _back_to(incident: Incident, form: FlaskForm, change: Callable[[], str]) -> Response:
    """Apply a valid form's change and flash what happened, or why not; then return to the
    incident's change panel."""
    if not form.validate_on_submit():
        unreadable(form)
    else:
        try:
            flash(change(), "success")
        except DomainError as error:
            refused(error)
    return redirect(
        url_for("agent.incident", reference=incident.reference, _anchor="changes-title")
    )


@bp.post("/incidents/<reference>/change")
@agent_required
def mark_cause(reference: str) -> Response:
    """Mark the incident as caused by the change named by reference (a typed one or a
    recent change's button)."""
    incident = incident_or_404(reference)
    form = CauseForm(prefix="cause")

    def change() -> str:
        """Mark it, and say which change."""
        cause = named_change(form.reference.data)
        changes.mark_caused_by(incident, cause, me())
        return f"{incident.reference} is marked as caused by {cause.reference}."

    return _back_to(incident, form, change)


@bp.post("/incidents/<reference>/change/clear")
@agent_required
def clear_cause(reference: str) -> Response:
    """Say the incident was not caused by the change marked after all."""
    incident = incident_or_404(reference)

    def change() -> str:
        """Clear it."""
        changes.clear_cause(incident, me())
        return f"{incident.reference} is no longer marked as caused by a change."

    return _back_to(incident, ButtonForm(), change)
