"""Claiming the worker's due incidents a batch at a time, each batch in one short
transaction, as the SLA check does (helpdesk.sla_policies.clocks.check_due).

On PostgreSQL the rows are taken FOR UPDATE SKIP LOCKED, so two workers share the due
incidents instead of waiting for each other or doing one twice; SQLite's transaction takes
its one write lock up front (helpdesk.core.unit.transaction), so a second worker waits and
then finds them done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import Incident

BATCH = 50


def in_batches(due: Any, act: Callable[[Incident], None]) -> int:
    """Claim and act on the due incidents, a batch per transaction, until a batch is short;
    what a batch did no longer matches `due`, so the next batch takes others."""
    total = 0
    while True:
        with transaction():
            claim = due.order_by(Incident.status_changed_at, Incident.id).limit(BATCH)
            if db.session.get_bind().dialect.name == "postgresql":
                claim = claim.with_for_update(skip_locked=True)
            incidents = db.session.scalars(claim).all()
            for incident in incidents:
                act(incident)
        total += len(incidents)
        if len(incidents) < BATCH:
            return total
