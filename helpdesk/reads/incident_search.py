"""Finding incidents by what an agent types: a reference in any spelling, or words of the
subject or of the requester's name or address. Used by the console's search box and its
"go to reference" lookups; the queues add these conditions to their own."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, or_, select

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import Incident, User
from helpdesk.references import spell_reference


def reference_candidates(text: str) -> list[str] | None:
    """If `text` looks like an incident reference (inc-123, INC-000123), list its spellings.

    Several exact spellings rather than a case-insensitive comparison keep the lookup on the
    unique index; old incidents keep the prefix they were created with.
    """
    match = re.fullmatch(r"\s*([A-Za-z]+)-(\d{1,12})\s*", text or "")
    if match is None:
        return None
    letters, digits = match.groups()
    number = int(digits)
    prefix = settings().site.reference_prefix
    spellings = [
        f"{letters}-{digits}",
        f"{letters.upper()}-{digits}",
        spell_reference(letters.upper(), number),
        spell_reference(prefix, number),
    ]
    return list(dict.fromkeys(spellings))


def find_by_reference(text: str) -> Incident | None:
    """Find an incident by its reference in any letter case, using the unique index."""
    candidates = reference_candidates(text)
    if candidates is None:
        return None
    return db.session.scalars(
        select(Incident).where(Incident.reference.in_(candidates)).order_by(Incident.id)
    ).first()


def word_conditions(q: str) -> list[ColumnElement[bool]]:
    """Every word must be in the subject, or every word in the requester's name or email."""
    words = (q or "").split()[:8]
    if not words:
        return []
    in_subject = and_(*(Incident.subject.icontains(w, autoescape=True) for w in words))
    # A CTE is read once for all the branches that use it, not once per branch.
    people = (
        select(User.id)
        .where(
            *(
                or_(
                    User.name.icontains(w, autoescape=True),
                    User.email.icontains(w, autoescape=True),
                )
                for w in words
            )
        )
        .cte("matching_people")
    )
    return [or_(in_subject, Incident.requester_id.in_(select(people.c.id)))]
