"""The console's change pages: the list (filtered by status, searched by reference, external
id or title, newest first), a new change, one change with the incidents it caused and its
trail, editing it, and its status buttons."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from helpdesk import changes, directory
from helpdesk.models import Change
from helpdesk.reads import change_list
from helpdesk.reads.recent_changes import caused_incidents
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.change_forms import (
    ChangeFilterForm,
    ChangeForm,
    MoveForm,
    filled,
    to_utc,
)
from helpdesk.web.agent.change_trail import trail_of
from helpdesk.web.agent.problems import attempt
from helpdesk.web.filters import viewer_zone
from helpdesk.web.numbers import page_number
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, applied, me

Page = str | tuple[str, int]
# What each status button says.
MOVE_WORDS = {
    "in_progress": "Start",
    "completed": "Complete",
    "failed": "Mark failed",
    "cancelled": "Cancel",
}


def change_or_404(reference: str) -> Change:
    """The change a URL names (any spelling), or 404."""
    return change_list.find_by_reference(reference) or abort(404)


@bp.get("/changes")
@agent_required
def change_index() -> str:
    """The changes, newest first, filtered by status and searched."""
    form = ChangeFilterForm(request.args)
    form.offer()
    filters = form.filters()
    listing = change_list.listing(filters, page_number())
    kept = {key: value for key, value in (("status", filters.status), ("q", filters.q)) if value}
    return render_template(
        "agent/changes.html", form=form, listing=listing, kept=kept, labels=changes.STATUS_LABELS
    )


def _edit_page(form: ChangeForm, change: Change | None, status: int = 200) -> Page:
    """The new-change or edit page with the form as given."""
    form.offer(directory.entries("services"), directory.agents())
    page = render_template("agent/change_form.html", form=form, change=change, zone=viewer_zone())
    return page, status


def _saved(form: ChangeForm, change: Change | None) -> Response | Page:
    """Save a submitted form as a new change or onto `change`; go to the change, or show the
    form again with why it was refused."""
    saved: list[Change] = []

    def save() -> str:
        plan = form.plan(viewer_zone())
        if change is None:
            saved.append(changes.create_change(me(), plan))
            return f"{saved[0].reference} recorded."
        changes.update_change(change, me(), plan)
        saved.append(change)
        return f"{change.reference} saved."

    if applied(form, save):
        return redirect(url_for("agent.change_page", reference=saved[0].reference))
    return _edit_page(form, change, UNPROCESSABLE)


@bp.route("/changes/new", methods=["GET", "POST"])
@agent_required
def new_change() -> Response | Page:
    """Record a new planned change."""
    form = ChangeForm()
    if request.method == "GET":
        return _edit_page(form, None)
    return _saved(form, None)


@bp.get("/changes/<reference>")
@agent_required
def change_page(reference: str) -> str:
    """One change: its fields, services, windows, the incidents it caused, its trail."""
    change = change_or_404(reference)
    moves = {target: MOVE_WORDS[target] for target in changes.moves_from(change.status)}
    return render_template(
        "agent/change.html",
        change=change,
        labels=changes.STATUS_LABELS,
        moves=moves,
        move_forms={target: MoveForm(formdata=None, prefix=target) for target in moves},
        caused=caused_incidents(change),
        trail=trail_of(change, viewer_zone()),
    )


@bp.route("/changes/<reference>/edit", methods=["GET", "POST"])
@agent_required
def edit_change(reference: str) -> Response | Page:
    """Edit what a change says: title, description, services, planned window, implementer."""
    change = change_or_404(reference)
    if request.method == "GET":
        return _edit_page(filled(change, viewer_zone()), change)
    return _saved(ChangeForm(), change)


@bp.post("/changes/<reference>/status/<target>")
@agent_required
def move_change(reference: str, target: str) -> Response:
    """Move the change on (start, complete, fail, cancel), at the time given or now."""
    change = change_or_404(reference)
    form = MoveForm(prefix=target)

    def move() -> str:
        """Move it, and say where it stands."""
        changes.move(change, me(), target, to_utc(form.at.data, viewer_zone()))
        return f"{change.reference} is {changes.STATUS_LABELS[change.status].lower()}."

    return attempt(form, move, url_for("agent.change_page", reference=change.reference))
