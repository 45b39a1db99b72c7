"""Loading a page's incidents in the order a keyset or paged query chose them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import QueryableAttribute, joinedload

from helpdesk.extensions import db
from helpdesk.models import Incident


def incidents_in_order(ids: list[int], *shown: QueryableAttribute[Any]) -> list[Incident]:
    """Load incidents by id with the relations the page shows (one query), in the order given."""
    if not ids:
        return []
    loaded = db.session.scalars(
        select(Incident)
        .where(Incident.id.in_(ids))
        .options(*(joinedload(relation) for relation in shown))
    ).unique()
    by_id = {incident.id: incident for incident in loaded}
    return [by_id[i] for i in ids]
