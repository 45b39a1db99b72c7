"""Writing the knowledge base (agents): the article list, the editor with its preview,
publishing and archiving, and the revision history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.kb import render, service
from helpdesk.models import Category, KnowledgeArticle
from helpdesk.models.kb import ARCHIVED, ARTICLE_STATUSES, DRAFT, PUBLISHED
from helpdesk.reads import kb_articles
from helpdesk.web.kb.blueprint import bp, editable_article
from helpdesk.web.kb.forms import ArticleForm, DeleteForm, StatusForm
from helpdesk.web.numbers import page_number
from helpdesk.web.roles import admin_required, agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused

Page = Response | tuple[str, int]

# What each status button says, by the status it moves the article to.
MOVES = {PUBLISHED: "Publish", DRAFT: "Unpublish", ARCHIVED: "Archive"}
DONE = {PUBLISHED: "published", DRAFT: "moved back to drafts", ARCHIVED: "archived"}


def offered_categories(current: int | None = None) -> list[Category]:
    """Categories an article may be filed under: the active ones, and its current one."""
    query = select(Category).where(or_(Category.active, Category.id == current))
    return list(db.session.scalars(query.order_by(Category.name)))


@bp.get("/manage")
@agent_required
def manage() -> str:
    """Every article for the editors, by status, newest change first."""
    status = request.args.get("status", "")
    status = status if status in ARTICLE_STATUSES else ""
    text = request.args.get("q", "").strip()[:100]
    listing = kb_articles.editor_listing(status, text, page_number(), settings().site.page_size)
    return render_template(
        "kb/manage.html",
        listing=listing,
        status=status,
        text=text,
        counts=kb_articles.status_counts(),
    )


def render_editor(form: ArticleForm, article: KnowledgeArticle | None, status: int = 200) -> Page:
    """Render the editor, with a preview of the text when one was asked for."""
    preview = render.render_markdown(form.body.data or "") if "preview" in request.form else None
    page = render_template(
        "kb/edit.html",
        form=form,
        article=article,
        preview=preview,
        status_form=StatusForm(formdata=None),
        delete_form=DeleteForm(formdata=None),
        moves=MOVES,
    )
    return page, status


@bp.route("/manage/new", methods=["GET", "POST"])
@agent_required
def new_article() -> Page:
    """Write a new article: preview as often as you like, then save it as a draft or
    save and publish it in one go."""
    form = ArticleForm()
    form.offer(offered_categories(form.category.data))
    if "preview" in request.form or not form.validate_on_submit():
        return render_editor(form, None, UNPROCESSABLE if form.errors else 200)
    try:
        article = service.create_article(me(), form.content(), note=form.note.data or "")
        if "publish" in request.form:
            service.publish_article(article, me())
    except DomainError as error:
        refused(error)
        return render_editor(form, None, UNPROCESSABLE)
    flash(f"“{article.title}” was saved as {article.status}.", "success")
    return redirect(url_for("kb.edit_article", slug=article.slug))


@bp.route("/manage/<slug>/edit", methods=["GET", "POST"])
@agent_required
def edit_article(slug: str) -> Page:
    """Edit an article; each save is a new revision with a note of what changed."""
    article = editable_article(slug)
    form = ArticleForm()
    form.offer(offered_categories(article.category_id))
    if not form.is_submitted():
        form.load(article, kb_articles.latest_revision_number(article))
    if "preview" in request.form or not form.validate_on_submit():
        return render_editor(form, article, UNPROCESSABLE if form.errors else 200)
    try:
        service.edit_article(article, me(), form.content(), form.note.data or "", form.based_on)
    except DomainError as error:
        refused(error)
        form.base_revision.data = str(kb_articles.latest_revision_number(article))
        return render_editor(form, article, UNPROCESSABLE)
    flash("Your changes were saved as a new revision.", "success")
    return redirect(url_for("kb.edit_article", slug=article.slug))


@bp.post("/manage/<slug>/status")
@agent_required
def change_status(slug: str) -> Response:
    """Publish, unpublish or archive (archiving, and bringing an article back from the
    archive, is for admins: the service layer says so if you are not one)."""
    article = editable_article(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        flash("Choose what to do with the article.", "error")
    else:
        try:
            service.set_status(article, me(), form.target.data)
        except DomainError as error:
            refused(error)
        else:
            flash(f"“{article.title}” was {DONE[article.status]}.", "success")
    return redirect(url_for("kb.edit_article", slug=article.slug))


@bp.post("/manage/<slug>/delete")
@admin_required
def delete(slug: str) -> Response:
    """Delete an article with its history for good (admins)."""
    article = editable_article(slug)
    title = article.title
    if not DeleteForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("kb.edit_article", slug=slug))
    try:
        service.delete_article(article, me())
    except DomainError as error:
        refused(error)
        return redirect(url_for("kb.edit_article", slug=slug))
    flash(f"“{title}” was deleted.", "success")
    return redirect(url_for("kb.manage"))


@bp.get("/manage/<slug>/history")
@agent_required
def history(slug: str) -> str:
    """Every revision of an article: who changed what, when, and why."""
    article = editable_article(slug)
    return render_template("kb/history.html", article=article, changes=kb_articles.history(article))
