"""The worker's jobs claim their due rows a batch at a time, each batch in one short
transaction, so that row locks are held briefly and a job's work is shared.

On PostgreSQL the rows are taken FOR UPDATE SKIP LOCKED, so two workers share the due
rows instead of waiting for each other or doing one twice; SQLite's transaction takes its
one write lock up front (helpdesk.core.unit.transaction), so a second worker waits and then
finds them done (mail_gateway.claims does the same for the outbox).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select

from helpdesk.core.unit import transaction
from helpdesk.extensions import db

BATCH = 50
Row = TypeVar("Row")


def in_batches(
    due: Select[Row], order: Sequence[Any], act: Callable[[Row], None], batch: int = BATCH
) -> int:
    """Claim the rows `due` selects in `order`, `batch` at a time, and `act` on each, one
    transaction a batch, until a batch is short; return how many. Acting must take a row
    out of `due` (that is what makes a pass run twice do nothing more)."""
    total = 0
    while True:
        with transaction():
            claim = due.order_by(*order).limit(batch)
            if db.session.get_bind().dialect.name == "postgresql":
                claim = claim.with_for_update(skip_locked=True)
            rows = db.session.scalars(claim).all()
            for row in rows:
                act(row)
        total += len(rows)
        if len(rows) < batch:
            return total
