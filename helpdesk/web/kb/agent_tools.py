"""The knowledge base from an incident (agents): link an article to the incident it was
sent for, and write a new article from an incident's resolution, linked to it."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.kb import incident_links, service
from helpdesk.models import KnowledgeArticle
from helpdesk.web.kb.blueprint import bp
from helpdesk.web.kb.editor import Page, offered_categories, render_editor
from helpdesk.web.kb.forms import ArticleForm
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused


class LinkForm(FlaskForm):
    """Link an article to an incident: nothing to fill in but the CSRF token."""


@bp.post("/articles/<int:article_id>/incidents/<reference>")
@agent_required
def link_incident(article_id: int, reference: str) -> Response | tuple[Response, int]:
    """Record that an article was sent for an incident (the console's "insert link")."""
    article = db.session.get(KnowledgeArticle, article_id) or abort(404)
    incident = incident_or_404(reference)
    if not LinkForm().validate_on_submit():
        abort(400)
    try:
        added = incident_links.link_article(article, incident, me())
    except DomainError as error:
        db.session.rollback()
        return jsonify(error=str(error)), UNPROCESSABLE
    return jsonify(linked=True, added=added)


@bp.route("/manage/from-incident/<reference>", methods=["GET", "POST"])
@agent_required
def article_from_incident(reference: str) -> Page:
    """Write an article prefilled from the incident's resolution and workaround; saving
    links it to the incident."""
    incident = incident_or_404(reference)
    form = ArticleForm()
    if not form.is_submitted():
        draft = incident_links.draft_from_resolution(incident)
        form = ArticleForm(
            formdata=None,
            title=draft.title,
            summary=draft.summary,
            body=draft.body_markdown,
            category=draft.category_id,
        )
    form.offer(offered_categories(form.category.data))
    if "preview" in request.form or not form.validate_on_submit():
        return render_editor(form, None, UNPROCESSABLE if form.errors else 200)
    try:
        article = incident_links.create_from_incident(me(), incident, form.content())
        if "publish" in request.form:
            service.publish_article(article, me())
    except DomainError as error:
        refused(error)
        return render_editor(form, None, UNPROCESSABLE)
    flash(f"“{article.title}” was saved as {article.status}, linked to {reference}.", "success")
    return redirect(url_for("kb.edit_article", slug=article.slug))
