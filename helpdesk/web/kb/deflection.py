"""Suggestions on the report-an-incident form: articles matching what the user types (an
HTML fragment the form's script fetches, debounced), one article opened in place, and
"This solved my problem", which records a deflection instead of an incident. Also the
"this fixed it" page behind the articles in an acknowledgement email (a signed link, no
sign-in; like helpdesk.web.one_click_links, a GET only shows buttons, the POST acts).

The fragments are rendered on the server, escaped like any page, so the script only
inserts them; the "solved" button is an ordinary CSRF-protected form (PRG), which also
works without the script.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import AnyOf

from helpdesk import lifecycle
from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.kb import deflection, helped_links, render
from helpdesk.models import KnowledgeArticle
from helpdesk.web.kb.blueprint import bp
from helpdesk.web.view_helpers import me, refused


class SolvedForm(FlaskForm):
    """ "This solved my problem", with the ids of the articles that were shown."""

    shown = HiddenField()


FIXED = "fixed"
NOT_HELPED = "not_helped"


class HelpedForm(FlaskForm):
    """The answer to an article offered by email: it fixed it, or it did not help."""

    answer = HiddenField(validators=[AnyOf([FIXED, NOT_HELPED])])


def _suggested_article(article_id: int) -> KnowledgeArticle:
    """The article if the signed-in person may read it, else 404 (drafts, internal ones)."""
    article = db.session.get(KnowledgeArticle, article_id)
    if article is None or not deflection.readable_by(article, me()):
        abort(404)
    return article


@bp.get("/suggest")
@login_required
def suggest() -> str:
    """The articles matching the report form's subject and description, as a list fragment."""
    results = deflection.suggestions(request.args.get("q", ""), me())
    return render_template("kb/_suggestions.html", results=results)


@bp.get("/suggest/<int:article_id>")
@login_required
def suggested(article_id: int) -> str:
    """One suggested article opened in place: its summary, body and the two answers."""
    article = _suggested_article(article_id)
    return render_template(
        "kb/_suggestion.html",
        article=article,
        body=render.render_markdown(article.body_markdown),
        form=SolvedForm(formdata=None, shown=request.args.get("shown", "")),
    )


@bp.post("/suggest/<int:article_id>/solved")
@login_required
def solved(article_id: int) -> Response:
    """Record a deflection: the article solved the problem, so no incident is reported."""
    article = _suggested_article(article_id)
    form = SolvedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        deflection.record_solved(me(), article, form.shown.data)
    except DomainError as error:
        refused(error)
        return redirect(url_for("portal.new_incident"))
    flash(f"Glad “{article.title}” solved it. No incident was reported.", "success")
    return redirect(url_for("kb.article", slug=article.slug))


@bp.route("/helped/<reference>/<token>", methods=["GET", "POST"])
def helped(reference: str, token: str) -> Response | tuple[str, int]:
    """Did the emailed article help? "This fixed it" closes the requester's incident."""
    try:
        link = helped_links.open_link(reference, token)
    except DomainError as error:
        return render_template(
            "mail_links/refused.html", reason=str(error), reference=reference
        ), 400
    form = HelpedForm()
    if form.validate_on_submit():
        try:
            if form.answer.data == FIXED:
                deflection.fixed_by_email_article(link.user, link.incident, link.article)
            else:
                deflection.record_email_answer(link.user, link.incident, link.article, False)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_THANKS[form.answer.data], "success")
            return redirect(url_for("kb.helped", reference=reference, token=token))
    page = render_template(
        "kb/helped.html",
        link=link,
        form=form,
        open=link.incident.status in lifecycle.OPEN_STATUSES,
        body=render.render_markdown(link.article.body_markdown)
        if deflection.readable_by(link.article, None)
        else None,
    )
    return page, 422 if form.is_submitted() else 200


_THANKS = {
    FIXED: "Glad it is fixed. Your incident is closed; no agent needs to look at it.",
    NOT_HELPED: "Thank you for telling us. An agent will look at your incident.",
}
