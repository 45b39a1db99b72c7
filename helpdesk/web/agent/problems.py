"""The problem panel of the incident page: its problem, the workaround with a button to send
it, or a form to link or open one (and, when recurring incidents suggest it, the hint that
opens a problem linking them in one click). Each button posts to one view here, which calls
one service function and returns to the incident page with what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import problems
from helpdesk.core.errors import DomainError, InvalidInput, NotFound
from helpdesk.models import Incident, Problem, utcnow
from helpdesk.problems.states import LABELS
from helpdesk.reads import problem_hints
from helpdesk.reads.problems import find_by_reference
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.agent.problem_forms import (
    OpenFromIncidentForm,
    ProblemReferenceForm,
    blank_reference_form,
)
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import applied, me, refused, unreadable


def problem_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name."""
    problem = incident.problem
    return {
        "problem": problem,
        "problem_labels": LABELS,
        "problem_hint": None if problem else problem_hints.hint_for(incident, utcnow()),
        "problem_link_form": blank_reference_form("problem-link", "Problem reference"),
        "problem_open_form": OpenFromIncidentForm(
            formdata=None, prefix="problem-open", title=incident.subject
        ),
    }


def named_problem(text: str | None) -> Problem:
    """The problem a form names by reference, or a refusal saying what to type."""
    found = find_by_reference(text)
    if found is None:
        wanted = (text or "").strip()[:40]
        if not wanted:
            raise InvalidInput("Enter a problem reference, like PRB-000123.")
        raise NotFound(f"There is no problem {wanted}.")
    return found


def attempt(form: FlaskForm, change: Callable[[], str], back: str) -> Response:
    """Apply a valid form's change and flash what happened, or why not; then go `back`."""
    applied(form, change)
    return redirect(back)


def _page(incident: Incident) -> str:
    """The incident's page, where the panel's buttons return."""
    return url_for("agent.incident", reference=incident.reference, _anchor="problem-title")


@bp.post("/incidents/<reference>/problem")
@agent_required
def link_problem(reference: str) -> Response:
    """Link the incident to the problem named by reference."""
    incident = incident_or_404(reference)
    form = ProblemReferenceForm(prefix="problem-link")

    def change() -> str:
        """Link, and say to which problem."""
        problem = named_problem(form.reference.data)
        problems.link_incident(problem, me(), incident)
        return f"Linked to {problem.reference}."

    return attempt(form, change, _page(incident))


@bp.post("/incidents/<reference>/problem/unlink")
@agent_required
def unlink_problem(reference: str) -> Response:
    """Remove the incident's link to its problem."""
    incident = incident_or_404(reference)

    def change() -> str:
        """Unlink."""
        problems.unlink_incident(incident, me())
        return "The incident is no longer linked to a problem."

    return attempt(ButtonForm(), change, _page(incident))


@bp.post("/incidents/<reference>/problem/open")
@agent_required
def open_problem_from_incident(reference: str) -> Response:
    """Open a problem from this incident, linked to it, and go to the problem's page."""
    incident = incident_or_404(reference)
    form = OpenFromIncidentForm(prefix="problem-open")
    if not form.validate_on_submit():
        unreadable(form)
        return redirect(_page(incident))
    try:
        problem = problems.open_from_incident(me(), incident, form.title.data)
    except DomainError as error:
        refused(error)
        return redirect(_page(incident))
    flash(f"{problem.reference} opened, with {incident.reference} linked.", "success")
    return redirect(url_for("agent.problem", reference=problem.reference))


@bp.post("/incidents/<reference>/problem/hint")
@agent_required
def open_problem_from_hint(reference: str) -> Response:
    """Open a problem linking the recurring incidents the page's hint counted (counted
    again now), and go to the problem's page to describe it."""
    incident = incident_or_404(reference)
    form = ButtonForm()
    hint = problem_hints.hint_for(incident, utcnow())
    if not form.validate_on_submit() or hint is None:
        flash("These incidents no longer suggest a problem: link or open one below.", "error")
        return redirect(_page(incident))
    try:
        problem = problems.open_from_hint(me(), hint)
    except DomainError as error:
        refused(error)
        return redirect(_page(incident))
    flash(f"{problem.reference} opened, with {hint.count} incidents linked.", "success")
    return redirect(url_for("agent.problem", reference=problem.reference))


@bp.post("/incidents/<reference>/problem/workaround")
@agent_required
def send_workaround(reference: str) -> Response:
    """Send the problem's workaround to the incident's requester as a public reply."""
    incident = incident_or_404(reference)

    def change() -> str:
        """Send it."""
        problems.send_workaround(incident, me())
        return "The workaround was sent to the requester."

    return attempt(ButtonForm(), change, _page(incident))
