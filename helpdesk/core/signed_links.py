"""Signed, expiring tokens for links in mail: the instance secret under a salt per kind of
link, so a token of one kind never works as another, and a payload that names an incident
and a person checked against the incident the URL names. Used by the one-click links of
notifications (helpdesk.notify.links) and the knowledge base's "this fixed it" links
(helpdesk.kb.helped_links).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from helpdesk.core.errors import InvalidInput
from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import Incident, User

BROKEN = "This link is not valid. It may have been cut short."


def _signer(salt: str) -> URLSafeTimedSerializer:
    """The instance secret under one salt: each kind of link signs apart from the others."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(salt: str, payload: dict[str, object]) -> str:
    """Sign a link's payload under a salt."""
    return _signer(salt).dumps(payload)


def read_token(salt: str, token: str) -> dict[str, Any]:
    """Check a link's signature and age; return its payload, or raise InvalidInput saying why."""
    links = settings().links
    days = links.mail_link_max_age_days
    try:
        data = _signer(salt).loads(token, max_age=links.mail_link_max_age_seconds)
    except SignatureExpired as error:
        raise InvalidInput(f"This link has expired (links work for {days} days).") from error
    except BadSignature as error:
        raise InvalidInput(BROKEN) from error
    if not isinstance(data, dict):
        raise InvalidInput(BROKEN)
    return data


def incident_and_user(data: dict[str, Any], reference: str) -> tuple[Incident, User]:
    """The incident and person a payload names; the incident must be the one in the URL."""
    incident = db.session.get(Incident, data.get("i"))
    user = db.session.get(User, data.get("u"))
    if incident is None or user is None or incident.reference != reference:
        raise InvalidInput("This link does not belong to that incident.")
    return incident, user
