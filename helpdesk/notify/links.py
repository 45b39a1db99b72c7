"""One-click links in emails: signed, expiring tokens naming an incident, a person and an action.

A token is signed with the instance's secret and a salt per action, so a "confirm" token can
never act as "reject" or "rate", and a token for one incident or person names no other. The
confirm and reject tokens also name the resolution they answer: after a reopen and a second
resolution, the old mail's buttons no longer decide about the new one.

The links are built from BASE_URL rather than url_for, so any process that queues mail (the
web app, the gateway, the CLI) makes the same links; the web side is helpdesk.web.mail_links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from helpdesk import lifecycle
from helpdesk.extensions import db
from helpdesk.incidents.errors import InvalidInput
from helpdesk.models import Incident, User

CONFIRM = "confirm"
REJECT = "reject"
RATE = "rate"
ACTIONS = (CONFIRM, REJECT, RATE)
URL_PREFIX = "/m"


@dataclass(frozen=True)
class MailLink:
    """What a genuine token names: the action, the incident, the person, and the resolution."""

    action: str
    incident: Incident
    user: User
    resolution: int | None

    @property
    def current(self) -> bool:
        """True while the action still applies to the incident as it stands now."""
        if self.action == RATE:
            return rateable(self.incident)
        return (
            self.incident.merged_into_id is None
            and self.incident.status == lifecycle.RESOLVED
            and self.resolution == resolution_stamp(self.incident)
        )


def rateable(incident: Incident) -> bool:
    """The requester can rate a resolved or closed incident (not one merged away)."""
    return incident.merged_into_id is None and incident.status in (
        lifecycle.RESOLVED,
        lifecycle.CLOSED,
    )


def resolution_stamp(incident: Incident) -> int | None:
    """Identify the incident's current resolution by when it was made (in milliseconds)."""
    if incident.resolved_at is None:
        return None
    return round(incident.resolved_at.replace(tzinfo=UTC).timestamp() * 1000)


def _serializer(action: str) -> URLSafeTimedSerializer:
    """The signer for one action: the salt keeps each action's tokens apart."""
    if action not in ACTIONS:
        raise ValueError(f"unknown mail link action {action!r}")
    secret = current_app.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt=f"helpdesk.mail-link.{action}")


def token_for(action: str, incident: Incident, user: User) -> str:
    """Sign a token letting `user` do `action` on `incident` from an email."""
    payload = {"i": incident.id, "u": user.id}
    if action != RATE:
        payload["r"] = resolution_stamp(incident)
    return _serializer(action).dumps(payload)


def url_for_link(action: str, incident: Incident, user: User) -> str:
    """The absolute link for an email: BASE_URL/m/<reference>/<action>/<token>."""
    base = current_app.config["BASE_URL"].rstrip("/")
    token = token_for(action, incident, user)
    return f"{base}{URL_PREFIX}/{incident.reference}/{action}/{token}"


def open_link(action: str, reference: str, token: str) -> MailLink:
    """Check a token from a link and return what it names, or raise InvalidInput saying why."""
    try:
        data = _serializer(action).loads(token, max_age=_max_age_days() * 86_400)
    except SignatureExpired as error:
        raise InvalidInput(
            f"This link has expired (links work for {_max_age_days()} days)."
        ) from error
    except BadSignature as error:
        raise InvalidInput("This link is not valid. It may have been cut short.") from error
    if not isinstance(data, dict):
        raise InvalidInput("This link is not valid. It may have been cut short.")
    incident = db.session.get(Incident, data.get("i"))
    user = db.session.get(User, data.get("u"))
    if incident is None or user is None or incident.reference != reference:
        raise InvalidInput("This link does not belong to that incident.")
    if not user.active:
        raise InvalidInput("This link belongs to an account that is no longer active.")
    return MailLink(action, incident, user, data.get("r"))


def _max_age_days() -> int:
    """How long a link in an email keeps working (MAIL_LINK_MAX_AGE_DAYS)."""
    return int(current_app.config["MAIL_LINK_MAX_AGE_DAYS"])
