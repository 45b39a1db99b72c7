"""Loading what a URL names, with 404 for anything missing or not the viewer's to see.

A user probing someone else's incident gets the same 404 as for one that does not exist,
so references cannot be enumerated.
"""

from __future__ import annotations

from flask import abort

from helpdesk.access import can_view_incident
from helpdesk.models import Incident, User
from helpdesk.reads.incident_search import find_by_reference


def incident_or_404(reference: str) -> Incident:
    """Load the incident a URL names (any letter case), or answer 404; for agents' views,
    who may see every incident."""
    incident = find_by_reference(reference)
    if incident is None:
        abort(404)
    return incident


def incident_for(user: User, reference: str) -> Incident:
    """Return the incident if `user` may see it, else abort with 404."""
    incident = incident_or_404(reference)
    if not can_view_incident(user, incident):
        abort(404)
    return incident
