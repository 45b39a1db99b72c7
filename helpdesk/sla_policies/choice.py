"""Which SLA policy holds an incident: the most specific one its service and category match.

A policy matches when each of its service and category is either unset or the incident's.
Among the matches, naming both beats naming the service only, which beats naming the
category only, which beats the default (which names neither). No two policies name the
same pair (see helpdesk.sla_policies.store), so the best match is unique.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlalchemy import or_, select

from helpdesk.core.errors import NotFound
from helpdesk.extensions import db
from helpdesk.models import SlaPolicy


class Scoped(Protocol):
    """What the ranking reads of a policy."""

    @property
    def service_id(self) -> int | None: ...

    @property
    def category_id(self) -> int | None: ...


P = TypeVar("P", bound=Scoped)


def rank(policy: Scoped, service_id: int | None, category_id: int | None) -> int | None:
    """How specifically a policy fits an incident: 3 service and category, 2 service only,
    1 category only, 0 the default; None when it names another service or category."""
    if policy.service_id not in (None, service_id) or policy.category_id not in (None, category_id):
        return None
    return 2 * (policy.service_id is not None) + (policy.category_id is not None)


def best(policies: Iterable[P], service_id: int | None, category_id: int | None) -> P | None:
    """The best-ranked matching policy, or None when none matches."""
    ranked = [
        (score, policy)
        for policy in policies
        if (score := rank(policy, service_id, category_id)) is not None
    ]
    return max(ranked, key=lambda pair: pair[0])[1] if ranked else None


def policy_for(service_id: int | None, category_id: int | None) -> SlaPolicy:
    """The policy an incident with this service and category is held to."""
    chosen = find_policy(service_id, category_id)
    if chosen is None:
        raise NotFound("There is no default SLA policy (run the database migrations).")
    return chosen


def find_policy(service_id: int | None, category_id: int | None) -> SlaPolicy | None:
    """Like policy_for, but None where no policy holds (a database built without the
    migrations' default, as tests build theirs); one query for the at most four
    candidates."""
    candidates = db.session.scalars(
        select(SlaPolicy).where(
            or_(SlaPolicy.service_id.is_(None), SlaPolicy.service_id == service_id),
            or_(SlaPolicy.category_id.is_(None), SlaPolicy.category_id == category_id),
        )
    )
    return best(candidates, service_id, category_id)
