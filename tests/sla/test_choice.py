"""Which policy holds an incident: service and category > service > category > default."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from helpdesk.core.errors import NotFound
from helpdesk.models import SlaPolicy
from helpdesk.sla_policies import store
from helpdesk.sla_policies.choice import best, policy_for, rank
from tests.factories import gen_category, gen_service
from tests.sla.conftest import fields


@dataclass(frozen=True)
class Scope:
    name: str
    service_id: int | None = None
    category_id: int | None = None


DEFAULT = Scope("default")
SERVICE = Scope("service 1", service_id=1)
CATEGORY = Scope("category 7", category_id=7)
BOTH = Scope("service 1 and category 7", service_id=1, category_id=7)
OTHER = Scope("service 2 and category 7", service_id=2, category_id=7)
ALL = [OTHER, CATEGORY, DEFAULT, BOTH, SERVICE]


@pytest.mark.parametrize(
    ("scope", "expected"),
    [(BOTH, 3), (SERVICE, 2), (CATEGORY, 1), (DEFAULT, 0), (OTHER, None)],
)
def test_rank(scope: Scope, expected: int | None) -> None:
    assert rank(scope, 1, 7) == expected


@pytest.mark.parametrize(
    ("service_id", "category_id", "expected"),
    [
        (1, 7, BOTH),
        (1, 8, SERVICE),
        (1, None, SERVICE),
        (3, 7, CATEGORY),
        (None, 7, CATEGORY),
        (2, 7, OTHER),
        (2, 8, DEFAULT),
        (None, None, DEFAULT),
    ],
)
def test_the_most_specific_match_wins(
    service_id: int | None, category_id: int | None, expected: Scope
) -> None:
    assert best(ALL, service_id, category_id) == expected


def test_a_policy_naming_another_category_does_not_apply_without_one() -> None:
    assert rank(BOTH, 1, None) is None
    assert best([BOTH], 1, None) is None


def test_policy_for_reads_the_database(standard: SlaPolicy) -> None:
    network, email = gen_service("Network"), gen_service("Email")
    hardware = gen_category("Hardware")
    by_service = store.create_policy(None, "Network", fields(service_id=network.id))
    by_category = store.create_policy(None, "Hardware", fields(category_id=hardware.id))
    by_both = store.create_policy(
        None, "Network hardware", fields(service_id=network.id, category_id=hardware.id)
    )
    assert policy_for(network.id, hardware.id) == by_both
    assert policy_for(network.id, None) == by_service
    assert policy_for(email.id, hardware.id) == by_category
    assert policy_for(email.id, None) == standard
    assert policy_for(None, None) == standard


def test_without_a_default_policy_for_says_so(app) -> None:
    with pytest.raises(NotFound, match="no default SLA policy"):
        policy_for(None, None)
