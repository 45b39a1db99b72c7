"""The API's idempotency keys as stored answers: a create sent again with the same
`Idempotency-Key` by the same person gets the first answer again for KEEP_FOR, after which
the worker's `idempotency_keys` job forgets the key (IETF draft "The Idempotency-Key HTTP
Header Field": keys expire, and a client retries within minutes, not days).

The web edge that reads the header and replays answers is helpdesk.api.idempotency; this
module is what it and the worker share: the lookup, the record and the expiry.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import IdempotencyKey, User

KEEP_FOR = timedelta(hours=24)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request: method, path and body, hashed."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def stored(person: User, key: str, now: datetime) -> IdempotencyKey | None:
    """The answer kept for `person`'s `key`, unless it has expired: an expired key the
    worker has not forgotten yet is deleted here, in the transaction of the request that
    takes the key up again (flushed now: the new row must not meet the old one)."""
    found = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == person.id, IdempotencyKey.key == key)
    )
    if found is None or found.created_at > now - KEEP_FOR:
        return found
    db.session.delete(found)
    db.session.flush()
    return None


@unit_of_work
def forget_expired(now: datetime) -> int:
    """Delete the keys older than KEEP_FOR (a worker job); return how many went."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - KEEP_FOR)
    )
    commit()
    return int(getattr(result, "rowcount", 0) or 0)
