"""The monitoring payloads as received, for admins to review: newest first, all or only
those with one outcome (the malformed and failed ones, above all)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from helpdesk.models import ReceivedAlert


def received_query(outcome: str | None) -> Select[Any]:
    """The received payloads, newest first, with who sent them and their incident."""
    query = select(ReceivedAlert).options(
        selectinload(ReceivedAlert.user), selectinload(ReceivedAlert.incident)
    )
    if outcome:
        query = query.where(ReceivedAlert.outcome == outcome)
    return query.order_by(ReceivedAlert.received_at.desc(), ReceivedAlert.id.desc())
