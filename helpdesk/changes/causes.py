"""Which change caused an incident: an agent marks it (from the recent changes to the
incident's service, or by reference) or clears it; both records' trails say so."""

from __future__ import annotations

from helpdesk.changes import audit as change_audit
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents import audit as incident_audit
from helpdesk.models import Change, Incident, User
from helpdesk.reads.change_list import find_by_reference


def named_change(text: str | None) -> Change:
    """The change a person names by reference (in a form or a request body), or a refusal
    saying what to type."""
    found = find_by_reference(text)
    if found is None:
        wanted = (text or "").strip()[:40]
        if not wanted:
            raise InvalidInput("Enter a change reference, like CHG-000123.")
        raise InvalidInput(f"There is no change {wanted}.")
    return found


@unit_of_work
def mark_caused_by(incident: Incident, change: Change, actor: User) -> None:
    """Record that `change` caused the incident, in place of any change marked before
    (marking the same change again changes nothing)."""
    check.require_agent(actor)
    previous = incident.caused_by_change
    if previous is not None and previous.id == change.id:
        return
    if previous is not None:
        change_audit.record(previous, actor, "cause_withdrawn", reference=incident.reference)
    incident.caused_by_change = change
    incident_audit.record(incident, actor, "caused_by_change", reference=change.reference)
    change_audit.record(change, actor, "caused_incident", reference=incident.reference)
    commit()


@unit_of_work
def clear_cause(incident: Incident, actor: User) -> None:
    """Record that the incident's change did not cause it after all (nothing to clear is
    no change)."""
    check.require_agent(actor)
    previous = incident.caused_by_change
    if previous is None:
        return
    incident.caused_by_change = None
    incident_audit.record(incident, actor, "cause_cleared", reference=previous.reference)
    change_audit.record(previous, actor, "cause_withdrawn", reference=incident.reference)
    commit()
