"""One-click links in emails: signed, expiring tokens naming an incident, a person and an action.

A token is signed with the instance's secret and a salt per action, so a "confirm" token can
never act as "reject" or "rate", and a token for one incident or person names no other. The
confirm and reject tokens also name the resolution they answer: after a reopen and a second
resolution, the old mail's buttons no longer decide about the new one.

Signing and checking are helpdesk.core.signed_links, which the knowledge base's "this fixed
it" links share, each kind under its own salt. Links are absolute on BASE_URL
(core.urls.external_url), so the web app, the gateway and the CLI make the same ones; the web
side is helpdesk.web.one_click_links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from helpdesk import lifecycle
from helpdesk.core.errors import InvalidInput
from helpdesk.core.signed_links import incident_and_user, read_token, sign
from helpdesk.core.urls import external_url
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


def _salt(action: str) -> str:
    """The salt of one action: a confirm token can never act as reject or rate."""
    if action not in ACTIONS:
        raise ValueError(f"unknown mail link action {action!r}")
    return f"helpdesk.mail-link.{action}"


def token_for(action: str, incident: Incident, user: User) -> str:
    """Sign a token letting `user` do `action` on `incident` from an email."""
    payload: dict[str, object] = {"i": incident.id, "u": user.id}
    if action != RATE:
        payload["r"] = resolution_stamp(incident)
    return sign(_salt(action), payload)


def url_for_link(action: str, incident: Incident, user: User) -> str:
    """The absolute link for an email: BASE_URL/m/<reference>/<action>/<token>."""
    token = token_for(action, incident, user)
    return external_url(f"mail_links.{action}", reference=incident.reference, token=token)


def open_link(action: str, reference: str, token: str) -> MailLink:
    """Check a token from a link and return what it names, or raise InvalidInput saying why."""
    data = read_token(_salt(action), token)
    incident, user = incident_and_user(data, reference)
    if not user.active:
        raise InvalidInput("This link belongs to an account that is no longer active.")
    return MailLink(action, incident, user, data.get("r"))
