"""The admins' webhook subscriptions: create, change, enable again, delete, rotate the
secret, and send a failed delivery again. Only admins may; each change is audited (never
with the secret) and commits once.

A URL is checked for its form and for where it leads (destinations.py) when it is saved,
so the admin learns at once that it is refused; delivery checks again.

The secret follows the Standard Webhooks format, `whsec_` and the base64 of 24 random
bytes. It is kept readable (signing needs it) and shown to the admin, who configures the
receiver with it; rotating it gives a new one that signs every delivery from then on,
retries of earlier events included.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select

from helpdesk.core import validation as check
from helpdesk.core.audit import record
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.core.settings import settings
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import User, WebhookDelivery, WebhookSubscription, utcnow
from helpdesk.webhooks.destinations import check_destination, check_url
from helpdesk.webhooks.topics import TOPICS

SUBJECT = "webhook_subscription"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
DESCRIPTION_MAX = 255


def new_secret() -> str:
    """A fresh Standard Webhooks secret: `whsec_` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins can manage webhooks.")


def _checked_events(chosen: Iterable[str]) -> list[str]:
    """The chosen event names in the catalogue's order, or InvalidInput."""
    picked = set(chosen)
    unknown = sorted(picked - TOPICS.keys())
    if unknown:
        raise InvalidInput(f"Unknown webhook event: {', '.join(unknown)}.")
    if not picked:
        raise InvalidInput("Choose at least one event to send.")
    return [name for name in TOPICS if name in picked]


def _checked_url(url: str) -> str:
    """The URL, checked for its form and for where it leads now."""
    url = check_url(url)
    check_destination(url, settings().webhooks.allow_private_destinations)
    return url


def _checked_description(description: str | None) -> str:
    return check.optional_text(description, "Description", DESCRIPTION_MAX) or ""


def subscriptions() -> list[WebhookSubscription]:
    """Every subscription, oldest first."""
    return list(db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def subscription_by_id(subscription_id: int) -> WebhookSubscription:
    """The subscription, or NotFound."""
    found = db.session.get(WebhookSubscription, subscription_id)
    if found is None:
        raise NotFound("No such webhook subscription.")
    return found


@unit_of_work
def create_subscription(
    actor: User, url: str, events: Iterable[str], description: str | None = None
) -> WebhookSubscription:
    """Subscribe a URL to events, active at once, with a new secret."""
    _require_admin(actor)
    subscription = WebhookSubscription(
        url=_checked_url(url),
        events=_checked_events(events),
        description=_checked_description(description),
        secret=new_secret(),
        active=True,
        created_at=utcnow(),
    )
    db.session.add(subscription)
    db.session.flush()
    record(
        SUBJECT, subscription.id, actor, "created", url=subscription.url, events=subscription.events
    )
    commit()
    return subscription


@unit_of_work
def update_subscription(
    actor: User, subscription_id: int, url: str, events: Iterable[str], description: str | None
) -> WebhookSubscription:
    """Change where a subscription posts, what it wants and its description; deliveries
    already queued keep their payload and go to the new URL."""
    _require_admin(actor)
    subscription = subscription_by_id(subscription_id)
    subscription.url = _checked_url(url)
    subscription.events = _checked_events(events)
    subscription.description = _checked_description(description)
    record(
        SUBJECT, subscription.id, actor, "updated", url=subscription.url, events=subscription.events
    )
    commit()
    return subscription


@unit_of_work
def enable_subscription(actor: User, subscription_id: int) -> WebhookSubscription:
    """Turn a disabled subscription on again, its run of failures forgotten (deliveries
    given up stay given up; "send again" sends one)."""
    _require_admin(actor)
    subscription = subscription_by_id(subscription_id)
    subscription.active = True
    subscription.failing_since = None
    subscription.disabled_at = None
    subscription.disabled_reason = None
    record(SUBJECT, subscription.id, actor, "enabled")
    commit()
    return subscription


@unit_of_work
def rotate_secret(actor: User, subscription_id: int) -> WebhookSubscription:
    """Give the subscription a new secret; every delivery is signed with it from now on."""
    _require_admin(actor)
    subscription = subscription_by_id(subscription_id)
    subscription.secret = new_secret()
    record(SUBJECT, subscription.id, actor, "secret_rotated")
    commit()
    return subscription


@unit_of_work
def delete_subscription(actor: User, subscription_id: int) -> None:
    """Delete a subscription and its delivery log; nothing more is sent to it."""
    _require_admin(actor)
    subscription = subscription_by_id(subscription_id)
    record(SUBJECT, subscription.id, actor, "deleted", url=subscription.url)
    db.session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    )
    db.session.delete(subscription)
    commit()


@unit_of_work
def send_again(actor: User, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """Queue an undelivered delivery for the worker's next pass (its message id stays, so
    the receiver can tell it from a new event)."""
    _require_admin(actor)
    subscription = subscription_by_id(subscription_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound("No such delivery.")
    if delivery.delivered_at is not None:
        raise InvalidInput("That delivery was received; it is not sent again.")
    if not subscription.active:
        raise InvalidInput("Enable the subscription first; a disabled one sends nothing.")
    delivery.next_attempt_at = utcnow()
    record(SUBJECT, subscription.id, actor, "delivery_requeued", message_id=delivery.message_id)
    commit()
    return delivery
