"""Loading what a URL names, with 404 for anything missing or not the viewer's to see.

A user probing someone else's incident gets the same 404 as for one that does not exist,
so references cannot be enumerated.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from helpdesk.access import can_view_incident
from helpdesk.extensions import db
from helpdesk.models import Incident, User


def find_incident(reference: str) -> Incident | None:
    """Find an incident by reference, case-insensitively (inc-000042 works)."""
    wanted = reference.strip().upper()
    return db.session.scalars(
        select(Incident).where(func.upper(Incident.reference) == wanted)
    ).first()


def incident_for(user: User, reference: str) -> Incident:
    """Return the incident if `user` may see it, else abort with 404."""
    incident = find_incident(reference)
    if incident is None or not can_view_incident(user, incident):
        abort(404)
    return incident
