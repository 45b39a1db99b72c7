"""The "this fixed it" links under the articles in an acknowledgement email: signed,
expiring tokens naming one incident, its requester and one article (see
helpdesk.notify.links for the confirm/reject/rate links this mirrors). A token for one
incident or article names no other; the salt keeps these tokens apart from every other
kind of link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from helpdesk.extensions import db
from helpdesk.incidents.errors import InvalidInput
from helpdesk.kb import search
from helpdesk.models import Incident, KnowledgeArticle, User
from helpdesk.models.kb import PUBLIC

SALT = "helpdesk.kb-helped"
# Articles offered in one acknowledgement.
ARTICLES_PER_MAIL = 3
BROKEN = "This link is not valid. It may have been cut short."


@dataclass(frozen=True)
class HelpedLink:
    """What a genuine token names: the incident, its requester and the article offered."""

    incident: Incident
    user: User
    article: KnowledgeArticle


def _serializer() -> URLSafeTimedSerializer:
    """The signer for these links."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _max_age_days() -> int:
    """How long a link in an email keeps working (MAIL_LINK_MAX_AGE_DAYS)."""
    return int(current_app.config["MAIL_LINK_MAX_AGE_DAYS"])


def url_for_article(incident: Incident, user: User, article: KnowledgeArticle) -> str:
    """The absolute link: BASE_URL/kb/helped/<reference>/<token>."""
    token = _serializer().dumps({"i": incident.id, "u": user.id, "a": article.id})
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/kb/helped/{incident.reference}/{token}"


def offers(incident: Incident, user: User) -> list[tuple[KnowledgeArticle, str]]:
    """Up to three public articles matching an emailed incident, each with its link."""
    text = f"{incident.subject} {incident.description or ''}"
    found = search.suggest(text, PUBLIC, ARTICLES_PER_MAIL)
    return [(result.article, url_for_article(incident, user, result.article)) for result in found]


def open_link(reference: str, token: str) -> HelpedLink:
    """Check a token and return what it names, or raise InvalidInput saying why."""
    try:
        data = _serializer().loads(token, max_age=_max_age_days() * 86_400)
    except SignatureExpired as error:
        raise InvalidInput(
            f"This link has expired (links work for {_max_age_days()} days)."
        ) from error
    except BadSignature as error:
        raise InvalidInput(BROKEN) from error
    if not isinstance(data, dict):
        raise InvalidInput(BROKEN)
    incident = db.session.get(Incident, data.get("i"))
    user = db.session.get(User, data.get("u"))
    article = db.session.get(KnowledgeArticle, data.get("a"))
    if incident is None or user is None or incident.reference != reference:
        raise InvalidInput("This link does not belong to that incident.")
    if article is None or incident.requester_id != user.id or not user.active:
        raise InvalidInput(BROKEN)
    return HelpedLink(incident, user, article)
