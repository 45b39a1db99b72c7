"""Reading the knowledge base: the front page, search, categories, articles, feedback.

Public articles are open to anonymous visitors too: self-service should not need an
account. Everything else answers 404, the same as an article that does not exist.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.kb import incident_links, render, search, service
from helpdesk.models import Category
from helpdesk.models.kb import PUBLISHED
from helpdesk.reads import kb_articles
from helpdesk.web.kb.blueprint import audience, bp, readable_article, viewer
from helpdesk.web.kb.forms import FeedbackForm, SearchForm
from helpdesk.web.numbers import page_number
from helpdesk.web.view_helpers import refused

# Anonymous visitors' answers to "was this helpful?" live in their session, this many.
REMEMBERED_VOTES = 50


def _search_form() -> SearchForm:
    """The search form read from the query string, with the categories offered."""
    form = SearchForm(request.args)
    form.validate()
    form.offer([category for category, _ in kb_articles.categories(audience())])
    return form


@bp.get("/")
def index() -> str:
    """The front page: a search box, the categories, and the most read articles."""
    readers = audience()
    return render_template(
        "kb/index.html",
        form=_search_form(),
        categories=kb_articles.categories(readers),
        popular=kb_articles.popular(readers),
        recent=kb_articles.recently_updated(readers),
    )


@bp.get("/search")
def search_page() -> str:
    """Ranked results with snippets; a search that finds nothing is logged for the admins."""
    form = _search_form()
    category = form.category.data if not form.category.errors else None
    results = search.search(form.q.data, audience(), category, form.page_number)
    if results.query and form.page_number == 1:
        service.record_search(results.query, service.role_of(viewer()), len(results.results))
    return render_template("kb/search.html", form=form, results=results)


@bp.get("/categories/<int:category_id>")
def category(category_id: int) -> str:
    """The articles of one category, alphabetically."""
    chosen = db.session.get(Category, category_id) or abort(404)
    per_page = settings().site.page_size
    listing = kb_articles.in_category(chosen.id, audience(), page_number(), per_page)
    return render_template("kb/category.html", category=chosen, listing=listing)


@bp.get("/<slug>")
def article(slug: str) -> str:
    """One article, its related articles and the feedback buttons. Agents may open drafts
    and archived articles here to see them as readers will."""
    found = readable_article(slug)
    reader = viewer()
    if found.status == PUBLISHED and not (reader and reader.is_agent):
        service.record_view(found)
    return render_template(
        "kb/article.html",
        article=found,
        body=render.render_markdown(found.body_markdown),
        related=search.related(found, audience()) if found.status == PUBLISHED else [],
        feedback=FeedbackForm(formdata=None),
        voted=_previous_vote(found.id),
        incident_count=incident_links.incident_counts([found]).get(found.id, 0),
    )


def _previous_vote(article_id: int) -> bool | None:
    """What this visitor answered before: from the database when signed in, else from
    the browser session."""
    reader = viewer()
    if reader is not None:
        return kb_articles.vote_of(article_id, reader.id)
    return session.get("kb_votes", {}).get(str(article_id))


def _remember_vote(article_id: int, helpful: bool) -> None:
    """Keep an anonymous visitor's answer in their session (the most recent ones)."""
    votes = dict(session.get("kb_votes", {}))
    votes[str(article_id)] = helpful
    session["kb_votes"] = dict(list(votes.items())[-REMEMBERED_VOTES:])


@bp.post("/<slug>/feedback")
def feedback(slug: str) -> Response:
    """Record "was this helpful?" and go back to the article."""
    found = readable_article(slug)
    form = FeedbackForm()
    target = url_for("kb.article", slug=found.slug, _anchor="feedback")
    if not form.validate_on_submit():
        flash("Please answer with Yes or No.", "error")
        return redirect(target)
    helpful, previous = form.helpful.data == "yes", _previous_vote(found.id)
    try:
        service.vote(found, viewer(), helpful, previous)
    except DomainError as error:
        refused(error)
        return redirect(target)
    if viewer() is None and previous is None:
        _remember_vote(found.id, helpful)
    flash(
        "Thank you for your feedback."
        if helpful
        else "Thank you. If this did not solve your problem, please report an incident.",
        "success",
    )
    return redirect(target)
