"""Post-incident reviews in the console: the panel on the incident page, the list of
reviews by state, one review with its timeline, impact and action items, its edit form,
its status moves and its Markdown download. The action items' own buttons are in
review_actions.py."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as Redirect

from helpdesk import directory
from helpdesk.core.settings import settings
from helpdesk.models import Incident, PostIncidentReview, utcnow
from helpdesk.models.review import REVIEW_STATUSES
from helpdesk.reads import reviews
from helpdesk.reads.review_impact import impact
from helpdesk.reads.review_markdown import as_markdown
from helpdesk.reads.review_timeline import timeline
from helpdesk.reviews import editing
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.review_forms import (
    HINTS,
    ActionItemForm,
    ReviewForm,
    ReviewStatusForm,
)
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, applied, me


def review_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name: the incident's review, if any."""
    return {"incident_review": reviews.review_of(incident.id)}


def review_or_404(review_id: int) -> PostIncidentReview:
    """The review a URL names, or 404."""
    found = reviews.review_by_id(review_id)
    if found is None:
        abort(404)
    return found


@bp.get("/reviews")
@agent_required
def review_list() -> str:
    """Every review, newest first, filtered by state, with their overdue action counts."""
    state = request.args.get("state") or None
    if state not in (None, *REVIEW_STATUSES):
        state = None
    today = utcnow().date()
    return render_template(
        "agent/reviews.html",
        listed=reviews.listing(state, today),
        state=state,
        states=editing.STATUS_LABELS,
        overdue_total=reviews.overdue_total(today),
        for_priorities=settings().reviews.for_priorities,
    )


def render_review(
    review: PostIncidentReview, status: int = 200, **submitted: Any
) -> tuple[str, int]:
    """The review's page with blank forms, except a refused one passed in with its input."""
    agents = directory.agents()
    action_form = submitted.pop("action_form", None) or ActionItemForm(formdata=None)
    action_form.offer(agents)
    page = render_template(
        "agent/review.html",
        review=review,
        incident=review.incident,
        entries=timeline(review.incident),
        impact=impact(review.incident),
        today=utcnow().date(),
        states=editing.STATUS_LABELS,
        moves=editing.MOVES[review.status],
        action_form=action_form,
        agents=agents,
        **submitted,
    )
    return page, status


@bp.get("/reviews/<int:review_id>")
@agent_required
def review(review_id: int) -> tuple[str, int]:
    """One review: summary, timeline, impact, root cause, lessons and action items."""
    return render_review(review_or_404(review_id))


@bp.get("/reviews/<int:review_id>/review.md")
@agent_required
def review_markdown(review_id: int) -> Response:
    """The review as a Markdown file to download."""
    found = review_or_404(review_id)
    text = as_markdown(found, timeline(found.incident), impact(found.incident))
    response = make_response(text)
    response.mimetype = "text/markdown"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="review-{found.incident.reference}.md"'
    )
    return response


def _edit_page(found: PostIncidentReview, form: ReviewForm, status: int = 200) -> tuple[str, int]:
    """The edit form, with the agents to choose a facilitator from."""
    form.offer(directory.agents())
    page = render_template("agent/review_edit.html", review=found, form=form, hints=HINTS)
    return page, status


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@agent_required
def edit_review(review_id: int) -> Redirect | tuple[str, int]:
    """Edit the review's texts and facilitator."""
    found = review_or_404(review_id)
    form = ReviewForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.facilitator.data = None
        return _edit_page(found, form)

    def save() -> str:
        texts = {name: getattr(form, name).data for name in editing.TEXT_FIELDS}
        editing.edit(found, me(), texts, form.facilitator.data)
        return "The review was saved."

    if applied(form, save):
        return redirect(url_for("agent.review", review_id=found.id))
    return _edit_page(found, form, UNPROCESSABLE)


@bp.post("/reviews/<int:review_id>/status")
@agent_required
def move_review(review_id: int) -> Redirect:
    """Move the review to the status its button names."""
    found = review_or_404(review_id)
    form = ReviewStatusForm()

    def move() -> str:
        editing.move(found, me(), form.target.data or "")
        return f"The review is now {editing.STATUS_LABELS[found.status].lower()}."

    applied(form, move)
    return redirect(url_for("agent.review", review_id=found.id))
