"""The change panel of the incident page: the change that caused it (with "clear"), the
changes to its service in the 72 hours before it was opened (each marked as the cause in
one click), and a form naming the change by reference. Each button posts to one view here,
which calls one service function and returns to the incident page saying what happened."""

from __future__ import annotations

from typing import Any

from flask import url_for
from werkzeug.wrappers import Response

from helpdesk import changes
from helpdesk.models import Incident
from helpdesk.reads.recent_changes import LOOKBACK, recent_changes
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.change_forms import CauseForm
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.agent.problems import attempt
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me


def change_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name."""
    return {
        "caused_by": incident.caused_by_change,
        "recent_changes": recent_changes(incident),
        "recent_hours": int(LOOKBACK.total_seconds() // 3600),
        "change_labels": changes.STATUS_LABELS,
        "cause_form": CauseForm(formdata=None, prefix="cause"),
    }


def _panel(incident: Incident) -> str:
    """The incident's change panel, where its buttons return."""
    return url_for("agent.incident", reference=incident.reference, _anchor="changes-title")


@bp.post("/incidents/<reference>/change")
@agent_required
def mark_cause(reference: str) -> Response:
    """Mark the incident as caused by the change named by reference (a typed one or a
    recent change's button)."""
    incident = incident_or_404(reference)
    form = CauseForm(prefix="cause")

    def change() -> str:
        """Mark it, and say which change."""
        cause = changes.named_change(form.reference.data)
        changes.mark_caused_by(incident, cause, me())
        return f"{incident.reference} is marked as caused by {cause.reference}."

    return attempt(form, change, _panel(incident))


@bp.post("/incidents/<reference>/change/clear")
@agent_required
def clear_cause(reference: str) -> Response:
    """Say the incident was not caused by the change marked after all."""
    incident = incident_or_404(reference)

    def change() -> str:
        """Clear it."""
        changes.clear_cause(incident, me())
        return f"{incident.reference} is no longer marked as caused by a change."

    return attempt(ButtonForm(), change, _panel(incident))
