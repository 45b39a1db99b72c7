"""The "this fixed it" links under the articles in an acknowledgement email: signed,
expiring tokens naming one incident, its requester and one article, signed and checked by
helpdesk.notify.links under a salt of their own. A token for one incident or article names
no other.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.extensions import db
from helpdesk.incidents.errors import InvalidInput
from helpdesk.kb import search
from helpdesk.models import Incident, KnowledgeArticle, User
from helpdesk.models.kb import PUBLIC
from helpdesk.notify import links
from helpdesk.notify.compose import external_url

SALT = "helpdesk.kb-helped"
# Articles offered in one acknowledgement.
ARTICLES_PER_MAIL = 3


@dataclass(frozen=True)
class HelpedLink:
    """What a genuine token names: the incident, its requester and the article offered."""

    incident: Incident
    user: User
    article: KnowledgeArticle


def url_for_article(incident: Incident, user: User, article: KnowledgeArticle) -> str:
    """The absolute link: BASE_URL/kb/helped/<reference>/<token>."""
    token = links.sign(SALT, {"i": incident.id, "u": user.id, "a": article.id})
    return external_url("kb.helped", reference=incident.reference, token=token)


def offers(incident: Incident, user: User) -> list[tuple[KnowledgeArticle, str]]:
    """Up to three public articles matching an emailed incident, each with its link."""
    text = f"{incident.subject} {incident.description or ''}"
    found = search.more_like_this(text, PUBLIC, ARTICLES_PER_MAIL)
    return [(result.article, url_for_article(incident, user, result.article)) for result in found]


def open_link(reference: str, token: str) -> HelpedLink:
    """Check a token and return what it names, or raise InvalidInput saying why."""
    data = links.read_token(SALT, token)
    incident, user = links.incident_and_user(data, reference)
    article = db.session.get(KnowledgeArticle, data.get("a"))
    if article is None or incident.requester_id != user.id or not user.active:
        raise InvalidInput(links.BROKEN)
    return HelpedLink(incident, user, article)
