"""The kb blueprint and who is looking, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from helpdesk.kb import search
from helpdesk.models import KnowledgeArticle, User
from helpdesk.reads import kb_articles

bp = Blueprint("kb", __name__, url_prefix="/kb")


def viewer() -> User | None:
    """The signed-in person as a model object, or None for an anonymous visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def audience() -> str:
    """Which articles the viewer may read: agents see internal ones too."""
    return search.audience_for(viewer())


def readable_article(slug: str) -> KnowledgeArticle:
    """The article if the viewer may open it, else 404 (the same as a missing one)."""
    article = kb_articles.article_for(slug, audience())
    if article is None:
        abort(404)
    return article


def editable_article(slug: str) -> KnowledgeArticle:
    """Any article by slug, for the editor pages (agents only), else 404."""
    article = kb_articles.article_by_slug(slug)
    if article is None:
        abort(404)
    return article
