"""THE service layer for incidents. Every writer (portal, console, API, mail gateway) changes
incidents only through these functions; they validate, write the audit trail, queue
notifications and commit. They raise DomainError subclasses with a message for the user."""

from helpdesk.core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from helpdesk.incidents.assignment import assign, take_ownership
from helpdesk.incidents.attachments import NewAttachment
from helpdesk.incidents.classification import Classification, classify
from helpdesk.incidents.conversation import add_note, add_reply
from helpdesk.incidents.linking import link, merge, related, unlink
from helpdesk.incidents.mail_notes import (
    add_flagged_note,
    add_mail_note,
    mark_reviewed,
    record_bounce,
)
from helpdesk.incidents.opening import (
    IncidentReport,
    open_follow_up,
    open_for_requester,
    open_incident,
    open_reported,
)
from helpdesk.incidents.participants import add_participant, change_requester, remove_participant
from helpdesk.incidents.self_service import resolve_by_requester
from helpdesk.incidents.workflow import (
    cancel,
    change_status,
    confirm_resolution,
    rate,
    reject_resolution,
    resolve,
    withdraw,
)

__all__ = [
    "Classification",
    "DomainError",
    "IncidentReport",
    "InvalidInput",
    "NewAttachment",
    "NotAllowed",
    "NotFound",
    "add_flagged_note",
    "add_mail_note",
    "add_note",
    "add_participant",
    "add_reply",
    "assign",
    "cancel",
    "change_requester",
    "change_status",
    "classify",
    "confirm_resolution",
    "link",
    "mark_reviewed",
    "merge",
    "open_follow_up",
    "open_for_requester",
    "open_incident",
    "open_reported",
    "rate",
    "record_bounce",
    "reject_resolution",
    "related",
    "remove_participant",
    "resolve",
    "resolve_by_requester",
    "take_ownership",
    "unlink",
    "withdraw",
]
