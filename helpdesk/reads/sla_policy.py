"""The SLA policy an incident is held to, as the pure functions (helpdesk.promises) take it:
the stored policy named by `incident.sla_policy_id`, parsed by helpdesk.sla.spec.parse_policy
once per distinct spec, so a page listing many incidents of one policy parses it once.
"""

from __future__ import annotations

import json
from functools import lru_cache

from helpdesk.extensions import db
from helpdesk.models import Incident, SlaPolicy
from helpdesk.sla.clock import Policy
from helpdesk.sla.spec import parse_policy


def policy_of(incident: Incident) -> Policy | None:
    """The incident's policy, or None for one held to none (a database nobody seeded)."""
    if incident.sla_policy_id is None:
        return None
    row = db.session.get(SlaPolicy, incident.sla_policy_id)
    return None if row is None else parsed(row)


def parsed(row: SlaPolicy) -> Policy:
    """A stored policy as the clock takes it (the SLA clocks read theirs through this too)."""
    return _parsed(json.dumps(row.spec(), sort_keys=True))


@lru_cache(maxsize=64)
def _parsed(spec: str) -> Policy:
    """A stored policy parsed once per distinct spec (JSON text): an edit is a new spec."""
    return parse_policy(json.loads(spec))
