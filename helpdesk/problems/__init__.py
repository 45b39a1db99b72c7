"""Problem management: problem records and known errors, the incidents linked to them, and
their workaround and fix offered to those incidents. The only writer of problems."""

from helpdesk.problems.linking import link_change, link_incident, unlink_incident
from helpdesk.problems.records import ProblemFields, edit, fields_of, move, open_problem
from helpdesk.problems.recurring import open_from_hint, open_from_incident
from helpdesk.problems.resolving import resolve, resolve_incidents_with_fix
from helpdesk.problems.workaround import send_workaround

__all__ = [
    "ProblemFields",
    "edit",
    "fields_of",
    "link_change",
    "link_incident",
    "move",
    "open_from_hint",
    "open_from_incident",
    "open_problem",
    "resolve",
    "resolve_incidents_with_fix",
    "send_workaround",
    "unlink_incident",
]
