"""Sending webhooks: the worker's `webhooks` job posts each due delivery, signed per the
Standard Webhooks spec, and records how it went.

Claim, send, record. The HTTP call happens outside any transaction: a receiver may take
the whole timeout to answer, and a row lock (or, on SQLite, the one write lock) held that
long would stall every writer of the helpdesk. So a round first claims a few due
deliveries with `in_batches` (FOR UPDATE SKIP LOCKED on PostgreSQL) and leases them by
moving their `next_attempt_at` past the round's worst case (LEASE: ROUND deliveries at
TIMEOUT each fit inside it), and commits: another worker no longer sees them as due.
Then each is posted with no transaction open, and its result is recorded in a short
transaction of its own, which checks that nobody recorded an attempt meanwhile (a lease
that ran out). A worker that dies mid-round leaves its leased deliveries to be sent again
when the lease ends; receivers drop repeats by the `webhook-id` header, the same on every
attempt.

Each attempt: a POST of the JSON payload with `content-type: application/json`,
`webhook-id`, `webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256 of
"id.timestamp.body" with the subscription's secret, by the `standardwebhooks` package).
The timestamp is the real wall-clock time of the attempt, not the helpdesk's injectable
clock: receivers compare it with their own clock to refuse replays. A TIMEOUT-second
timeout, redirects not followed (a 3xx is a failure: the admin should fix the URL), the
response body kept up to RESPONSE_KEEP bytes, and the destination checked again on the
address actually reached (destinations.guarded_connection).

A 2xx is delivered: no more attempts, and the subscription's run of failures ends.
Anything else, or a network error, is retried with exponential backoff (FIRST_RETRY,
doubling, capped at MAX_RETRY, plus up to a tenth of jitter so that retries of one outage
do not arrive together). A subscription failing for DISABLE_AFTER is disabled: its
pending deliveries are given up, the reason is kept and audited, and the admin page shows
it until an admin enables it again.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from helpdesk.core.audit import record
from helpdesk.core.batches import in_batches
from helpdesk.core.settings import settings
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import WebhookDelivery, WebhookSubscription, utcnow
from helpdesk.webhooks.destinations import guarded_connection
from helpdesk.webhooks.subscriptions import SUBJECT

log = logging.getLogger(__name__)

ROUND = 20  # deliveries claimed, then sent, at a time
TIMEOUT_SECONDS = 10
LEASE = timedelta(minutes=10)  # > ROUND * TIMEOUT_SECONDS: a round ends inside its lease
RESPONSE_KEEP = 2048
ERROR_MAX = 255
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
JITTER = 0.1
DISABLE_AFTER = timedelta(hours=24)
USER_AGENT = "Helpdesk-Webhooks/1"
OLDEST_FIRST = (WebhookDelivery.next_attempt_at, WebhookDelivery.id)


@dataclass(frozen=True)
class Claimed:
    """A leased delivery: what sending it needs, read inside the claiming transaction."""

    id: int
    attempts: int
    message_id: str
    url: str
    secret: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: the HTTP status and body excerpt, or the error."""

    status: int | None
    response: str | None
    error: str | None

    @property
    def delivered(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


def body_of(payload: dict[str, object]) -> str:
    """The JSON text posted (and signed) for a payload."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)
    return base * random.uniform(1.0, 1.0 + JITTER)


def send_due(now: datetime) -> int:
    """The worker's job: send every delivery due at `now`, a round at a time; return how
    many attempts were made."""
    attempted = 0
    while True:
        claimed = claim(now)
        for item in claimed:
            save_outcome(item, post(item))
        attempted += len(claimed)
        if len(claimed) < ROUND:
            return attempted


def claim(now: datetime) -> list[Claimed]:
    """Lease up to ROUND due deliveries (see the module doc) and return them; a delivery of
    a subscription disabled meanwhile is given up instead."""
    candidates = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.next_attempt_at <= now)
            .order_by(*OLDEST_FIRST)
            .limit(ROUND)
        )
    )
    if not candidates:
        db.session.rollback()  # end the read; nothing is held
        return []
    lease_until = (max(now, utcnow()) + LEASE).replace(microsecond=0)
    claimed: list[Claimed] = []

    def lease(delivery: WebhookDelivery) -> None:
        subscription = delivery.subscription
        if not subscription.active:
            delivery.next_attempt_at = None
            return
        delivery.next_attempt_at = lease_until
        claimed.append(
            Claimed(
                id=delivery.id,
                attempts=delivery.attempts,
                message_id=delivery.message_id,
                url=subscription.url,
                secret=subscription.secret,
                body=body_of(delivery.payload),
            )
        )

    due = select(WebhookDelivery).where(
        WebhookDelivery.id.in_(candidates), WebhookDelivery.next_attempt_at <= now
    )
    in_batches(due, OLDEST_FIRST, lease, batch=ROUND)
    return claimed


def signed_headers(item: Claimed) -> dict[str, str]:
    """The request's headers, signed now."""
    sent_at = datetime.now(UTC)
    signature = Webhook(item.secret).sign(item.message_id, sent_at, item.body)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": item.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }


def post(item: Claimed) -> Outcome:
    """POST the delivery once; never raises for what the network or receiver does."""
    allow_private = settings().webhooks.allow_private_destinations
    parts = urlsplit(item.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    try:
        if parts.scheme.lower() == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname or "",
                parts.port,
                timeout=TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS
            )
        # Checked on the address reached, before the request goes out (destinations.py).
        connection._create_connection = guarded_connection(allow_private)  # type: ignore[attr-defined]
        try:
            connection.request("POST", target, item.body.encode(), signed_headers(item))
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_KEEP).decode("utf-8", "replace")
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Outcome(None, None, _error_text(error))
    if 200 <= response.status < 300:
        return Outcome(response.status, excerpt, None)
    return Outcome(response.status, excerpt, f"HTTP {response.status} {response.reason}".strip())


def _error_text(error: BaseException) -> str:
    """An error for the delivery log, its kind named when its text is empty."""
    text = str(error) or type(error).__name__
    if isinstance(error, TimeoutError) or "timed out" in text:
        text = f"no answer within {TIMEOUT_SECONDS} s"
    return text[:ERROR_MAX]


def save_outcome(item: Claimed, outcome: Outcome) -> None:
    """Record one attempt in a short transaction: delivered, or the next attempt planned
    (or the subscription disabled after a day of failures)."""
    with transaction():
        delivery = db.session.get(WebhookDelivery, item.id)
        if delivery is None:
            return  # the subscription was deleted meanwhile
        subscription = db.session.get(
            WebhookSubscription,
            delivery.subscription_id,
            with_for_update=True,
            populate_existing=True,
        )
        db.session.refresh(delivery, with_for_update=True)
        if subscription is None or delivery.attempts != item.attempts:
            return  # another worker recorded an attempt after this one's lease ran out
        now = utcnow()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status = outcome.status
        delivery.last_response = outcome.response
        delivery.last_error = outcome.error
        if outcome.delivered:
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            subscription.failing_since = None
            return
        if not subscription.active:
            delivery.next_attempt_at = None
            return
        if subscription.failing_since is None:
            subscription.failing_since = now
        if now - subscription.failing_since >= DISABLE_AFTER:
            disable(subscription, outcome.error or "failed", now)
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)


def disable(subscription: WebhookSubscription, error: str, now: datetime) -> None:
    """Turn a subscription off after a day of failures: say why, give up what it still had
    to send, and audit it (callers commit)."""
    since = subscription.failing_since or now
    reason = f"Failing since {since:%Y-%m-%d %H:%M} UTC: {error}"[:ERROR_MAX]
    subscription.active = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.next_attempt_at.is_not(None),
        )
        .values(next_attempt_at=None)
        .execution_options(synchronize_session="fetch")
    )
    record(SUBJECT, subscription.id, None, "disabled", reason=reason)
    log.warning("Webhook subscription %s disabled: %s", subscription.id, reason)
