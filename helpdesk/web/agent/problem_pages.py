"""The problem pages of the agent console: the list (with the known-error list as its
status filter and a search), a new problem, and one problem with its fields, incidents,
change, audit trail and every change allowed on it. Each change is a POST calling one
service function, then back to the problem's page (post/redirect/get); a refused edit
shows the page again with the agent's typing kept."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import directory, problems
from helpdesk.core.errors import NotFound
from helpdesk.core.settings import settings
from helpdesk.models import Change, Problem
from helpdesk.models.problem import KNOWN_ERROR
from helpdesk.problems import states
from helpdesk.reads import change_list
from helpdesk.reads import problems as problem_reads
from helpdesk.web.agent.actions import other_incident
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.agent.problem_forms import (
    FixForm,
    ProblemFilterForm,
    ProblemForm,
    ProblemReferenceForm,
    ProblemStatusForm,
    blank_reference_form,
)
from helpdesk.web.agent.problem_trail import trail_of
from helpdesk.web.agent.problems import attempt
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.numbers import page_number
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, applied, me


def problem_or_404(reference: str) -> Problem:
    """Load the problem a URL names (any letter case), or answer 404."""
    found = problem_reads.find_by_reference(reference)
    if found is None:
        abort(404)
    return found


def _offered(form: ProblemForm) -> ProblemForm:
    """Fill a problem form's choices."""
    form.offer(directory.teams(), directory.agents(), directory.entries("services"))
    return form


@bp.get("/problems")
@agent_required
def problem_list() -> str:
    """List problems by status (known errors: ?status=known_error) and search words."""
    form = ProblemFilterForm(formdata=request.args)
    status, words = form.chosen_status(), form.words()
    listing = problem_reads.listing(status, words, page_number(), settings().site.page_size)
    return render_template(
        "agent/problems.html",
        form=form,
        listing=listing,
        kept={key: value for key, value in (("status", status), ("q", words)) if value},
        open_counts=problem_reads.open_incident_counts(list(listing.items)),
        labels=states.LABELS,
        known_error=KNOWN_ERROR,
    )


@bp.route("/problems/new", methods=["GET", "POST"])
@agent_required
def new_problem() -> Response | tuple[str, int] | str:
    """Open a problem from scratch (one about an incident starts from its page)."""
    form = _offered(ProblemForm(prefix="problem"))
    if request.method == "POST":
        opened: list[Problem] = []

        def open_it() -> str:
            opened.append(problems.open_problem(me(), form.fields()))
            return f"{opened[0].reference} opened."

        if applied(form, open_it):
            return redirect(url_for("agent.problem", reference=opened[0].reference))
        return render_template("agent/new_problem.html", form=form), UNPROCESSABLE
    return render_template("agent/new_problem.html", form=form)


def render_problem(problem: Problem, status: int = 200, **submitted: FlaskForm) -> tuple[str, int]:
    """The problem's page with blank forms, except a refused one passed in with its input."""
    edit_form = _offered(ProblemForm(formdata=None, prefix="problem"))
    edit_form.fill(problem)
    status_form = ProblemStatusForm(formdata=None, prefix="status")
    status_form.offer(problem)
    forms = {
        "edit_form": edit_form,
        "status_form": status_form,
        "fix_form": FixForm(formdata=None, prefix="resolve"),
        "incident_form": blank_reference_form("incident", "Incident reference"),
        "change_form": blank_reference_form("change", "Change reference"),
    } | submitted
    linked = problem_reads.linked_incidents(problem)
    page = render_template(
        "agent/problem.html",
        problem=problem,
        incidents=linked,
        open_incidents=[incident for incident in linked if incident.is_open],
        trail=trail_of(problem),
        labels=states.LABELS,
        can_resolve=states.RESOLVED in states.TRANSITIONS[problem.status],
        refused=list(submitted),
        **forms,
    )
    return page, status


@bp.get("/problems/<reference>")
@agent_required
def problem(reference: str) -> tuple[str, int]:
    """Show one problem with its incidents, change, audit trail and actions."""
    return render_problem(problem_or_404(reference))


@bp.post("/problems/<reference>/edit")
@agent_required
def edit_problem(reference: str) -> Response | tuple[str, int]:
    """Save the problem's fields; a refused edit keeps what the agent typed."""
    found = problem_or_404(reference)
    form = _offered(ProblemForm(prefix="problem"))

    def save() -> str:
        problems.edit(found, me(), form.fields())
        return "The problem was saved."

    if applied(form, save):
        return redirect(url_for("agent.problem", reference=found.reference))
    return render_problem(found, UNPROCESSABLE, edit_form=form)


def _back(problem: Problem) -> str:
    """The problem's page, where its buttons return."""
    return url_for("agent.problem", reference=problem.reference)


def _on_problem(reference: str, form: FlaskForm, change: Callable[[Problem], str]) -> Response:
    """Apply one change to the problem a URL names, then go back to its page."""
    found = problem_or_404(reference)
    return attempt(form, lambda: change(found), _back(found))


@bp.post("/problems/<reference>/status")
@agent_required
def move_problem(reference: str) -> Response:
    """Move the problem to another status."""
    form = ProblemStatusForm(prefix="status")

    def change(found: Problem) -> str:
        """Move it, and say where."""
        problems.move(found, me(), form.target.data or "")
        return f"{found.reference} is now {states.LABELS[found.status].lower()}."

    return _on_problem(reference, form, change)


@bp.post("/problems/<reference>/resolve")
@agent_required
def resolve_problem(reference: str) -> Response:
    """Resolve the problem with its fix; the page then offers its open incidents."""
    form = FixForm(prefix="resolve")

    def change(found: Problem) -> str:
        """Resolve, and say what is offered next."""
        still_open = problems.resolve(found, me(), form.fix.data or "")
        if not still_open:
            return f"{found.reference} is resolved."
        return (
            f"{found.reference} is resolved; its agents were told. "
            f"Resolve its {len(still_open)} open incidents with the fix below."
        )

    return _on_problem(reference, form, change)


@bp.post("/problems/<reference>/resolve-incidents")
@agent_required
def resolve_problem_incidents(reference: str) -> Response:
    """Resolve the open incidents ticked on the page with the problem's fix."""
    chosen = [int(v) for v in request.form.getlist("incident") if v.isdigit() and len(v) < 10]

    def change(found: Problem) -> str:
        """Resolve them, and say how many."""
        done = problems.resolve_incidents_with_fix(found, me(), chosen)
        return f"Resolved {len(done)} incident{'s' if len(done) != 1 else ''} with the fix."

    return _on_problem(reference, ButtonForm(), change)


@bp.post("/problems/<reference>/incidents")
@agent_required
def link_problem_incident(reference: str) -> Response:
    """Link the incident named by reference to the problem."""
    form = ProblemReferenceForm(prefix="incident")

    def change(found: Problem) -> str:
        """Link it."""
        incident = other_incident(form.reference.data)
        problems.link_incident(found, me(), incident)
        return f"{incident.reference} is linked."

    return _on_problem(reference, form, change)


@bp.post("/problems/<reference>/incidents/<incident_reference>/unlink")
@agent_required
def unlink_problem_incident(reference: str, incident_reference: str) -> Response:
    """Unlink one of the problem's incidents."""
    incident = incident_or_404(incident_reference)

    def change(found: Problem) -> str:
        """Unlink it, when it is this problem's."""
        if incident.problem_id != found.id:
            raise NotFound(f"{incident.reference} is not linked to {found.reference}.")
        problems.unlink_incident(incident, me())
        return f"{incident.reference} is no longer linked."

    return _on_problem(reference, ButtonForm(), change)


@bp.post("/problems/<reference>/change")
@agent_required
def link_problem_change(reference: str) -> Response:
    """Link the change named by reference (CHG-000123), or remove the link when blank."""
    form = ProblemReferenceForm(prefix="change")

    def change(found: Problem) -> str:
        """Link it, or unlink."""
        named = _change_named(form.reference.data)
        problems.link_change(found, me(), named)
        return f"{named.reference} is linked." if named else "The change is no longer linked."

    return _on_problem(reference, form, change)


def _change_named(text: str | None) -> Change | None:
    """The change a form names (CHG-000123, chg-123), None when blank."""
    if not (text or "").strip():
        return None
    found = change_list.find_by_reference(text)
    if found is None:
        raise NotFound(f"There is no change {(text or '').strip()[:40]}.")
    return found
