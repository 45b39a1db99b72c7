"""Change records: created in the console or the API or mirrored from an external change
system, and the incidents they caused. The only writer of changes."""

from helpdesk.changes.causes import clear_cause, mark_caused_by, named_change
from helpdesk.changes.external import record_external
from helpdesk.changes.records import ChangePlan, create_change, update_change
from helpdesk.changes.status import STATUS_LABELS, move, moves_from

__all__ = [
    "STATUS_LABELS",
    "ChangePlan",
    "clear_cause",
    "create_change",
    "mark_caused_by",
    "move",
    "moves_from",
    "named_change",
    "record_external",
    "update_change",
]
