"""The "this fixed it" links under the articles in an acknowledgement email: signed,
expiring tokens naming one incident, its requester and one article, signed and checked by
helpdesk.core.signed_links under a salt of their own. A token for one incident or article names
no other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from helpdesk.core import signed_links
from helpdesk.core.errors import InvalidInput
from helpdesk.core.urls import external_url
from helpdesk.extensions import db
from helpdesk.kb import search
from helpdesk.models import Incident, KnowledgeArticle, User
from helpdesk.models.kb import PUBLIC
from helpdesk.reads.kb_articles import readable_by

SALT = "helpdesk.kb-helped"
# Articles offered in one acknowledgement.
ARTICLES_PER_MAIL = 3


@dataclass(frozen=True)
class Offer:
    """An article as an acknowledgement lists it."""

    id: int
    title: str
    summary: str


@dataclass(frozen=True)
class HelpedLink:
    """What a genuine token names: the incident, its requester and the article offered."""

    incident: Incident
    user: User
    article: KnowledgeArticle


def url_for_article(incident: Incident, user: User, article: KnowledgeArticle | Offer) -> str:
    """The absolute link: BASE_URL/kb/helped/<reference>/<token>."""
    token = signed_links.sign(SALT, {"i": incident.id, "u": user.id, "a": article.id})
    return external_url("kb.helped", reference=incident.reference, token=token)


def offers(incident: Incident, user: User) -> list[tuple[Offer, str]]:
    """Up to three public articles matching an emailed incident, each with its link.

    Only what the mail shows is read (id, title, summary), and only for articles that are
    public and published now, whatever the search index still says.
    """
    text = f"{incident.subject} {incident.description or ''}"
    # Twice as many as needed, in case the index still lists some the database withdrew.
    ranked = search.ids_like_this(text, PUBLIC, 2 * ARTICLES_PER_MAIL)
    if not ranked:
        return []
    query = select(KnowledgeArticle.id, KnowledgeArticle.title, KnowledgeArticle.summary).where(
        KnowledgeArticle.id.in_(ranked), *readable_by(PUBLIC)
    )
    found = {row.id: Offer(row.id, row.title, row.summary) for row in db.session.execute(query)}
    articles = [found[article_id] for article_id in ranked if article_id in found]
    chosen = articles[:ARTICLES_PER_MAIL]
    return [(article, url_for_article(incident, user, article)) for article in chosen]


def open_link(reference: str, token: str) -> HelpedLink:
    """Check a token and return what it names, or raise InvalidInput saying why."""
    data = signed_links.read_token(SALT, token)
    incident, user = signed_links.incident_and_user(data, reference)
    article = db.session.get(KnowledgeArticle, data.get("a"))
    if article is None or incident.requester_id != user.id or not user.active:
        raise InvalidInput(signed_links.BROKEN)
    return HelpedLink(incident, user, article)
