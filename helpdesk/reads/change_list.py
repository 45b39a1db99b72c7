"""Finding changes: one by its reference in any spelling, and the console's and the API's
list, filtered by status and searched by reference, external id or words of the title,
newest first (ix_changes_created)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from helpdesk import bounds
from helpdesk.extensions import db
from helpdesk.models import Change
from helpdesk.references import CHANGE_PREFIX, reference_in

PER_PAGE = 25
MAX_WORDS = 12


@dataclass(frozen=True)
class Filters:
    """Which changes a list shows: a status, and what the search box holds."""

    status: str | None = None
    q: str = ""


def find_by_reference(text: str | None) -> Change | None:
    """The change a reference names (chg-12, CHG-000012), or None."""
    reference = reference_in(CHANGE_PREFIX, text)
    if reference is None:
        return None
    return db.session.scalar(select(Change).where(Change.reference == reference))


def listing(filters: Filters, page: int, per_page: int = PER_PAGE) -> Pagination:
    """One page of the changes the filters select, newest first, with the services and
    implementer each row shows (loaded in two more queries, not two per row)."""
    query = select(Change)
    if filters.status:
        query = query.where(Change.status == filters.status)
    text = filters.q.strip()
    if text:
        query = query.where(_matching(text))
    query = query.order_by(Change.created_at.desc(), Change.id.desc()).options(
        selectinload(Change.services), joinedload(Change.implementer)
    )
    return bounds.paginate(query, page, per_page)


def _matching(text: str) -> ColumnElement[bool]:
    """The condition of a search: the reference or external id it names exactly, or a
    title holding every word typed (case aside)."""
    exact = [func.lower(Change.external_id) == text.lower()]
    reference = reference_in(CHANGE_PREFIX, text)
    if reference is not None:
        exact.append(Change.reference == reference)
    words = text.split()[:MAX_WORDS]
    titled = and_(*(Change.title.icontains(word, autoescape=True) for word in words))
    return or_(*exact, titled)
