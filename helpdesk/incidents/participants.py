"""Who an incident is for: its requester and the people copied on it (participants).

Participants are the requester's side: they get the public replies and the resolution by
email and see the incident on the portal. The mail gateway copies Cc'd addresses in when
an incident is opened; agents add and remove people, and change the requester, here.

Rules: the requester is never also a participant; changing the requester keeps the old
one on the incident as a participant, so nobody who reported or followed it loses sight
of it without an agent deciding so (removing them is one more click, and audited).
Callers find or create the person (helpdesk.accounts) before calling these.
"""

from __future__ import annotations

from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents.audit import record
from helpdesk.incidents.guard import ensure
from helpdesk.models import Incident, User
from helpdesk.permissions import Action


def person_label(person: User) -> str:
    """Name a person the way the audit trail keeps them: the name and the address."""
    return f"{person.name} <{person.email}>"


def _check_changeable(incident: Incident, actor: User, person: User, action: Action) -> None:
    """Agents change who is on an unmerged incident, and only to people who can be mailed."""
    ensure(action, actor, incident)
    if not person.active:
        raise InvalidInput(f"The account of {person_label(person)} is deactivated.")


@unit_of_work
def add_participant(incident: Incident, actor: User, person: User) -> None:
    """Copy `person` on the incident: from now on they get its public replies."""
    _check_changeable(incident, actor, person, Action.ADD_PARTICIPANT)
    if person.id == incident.requester_id:
        raise InvalidInput(f"{person_label(person)} is the requester of this incident.")
    if incident.copies(person):
        raise InvalidInput(f"{person_label(person)} is already copied on this incident.")
    incident.participants.append(person)
    record(incident, actor, "participant_added", person=person_label(person))
    commit()


@unit_of_work
def remove_participant(incident: Incident, actor: User, person: User) -> None:
    """Stop copying `person` on the incident; the conversation so far stays as it was."""
    ensure(Action.REMOVE_PARTICIPANT, actor, incident)
    if not incident.copies(person):
        raise InvalidInput(f"{person_label(person)} is not copied on this incident.")
    incident.participants.remove(person)
    record(incident, actor, "participant_removed", person=person_label(person))
    commit()


@unit_of_work
def change_requester(incident: Incident, actor: User, person: User) -> None:
    """Make `person` the requester; the old requester stays on as a participant."""
    _check_changeable(incident, actor, person, Action.CHANGE_REQUESTER)
    previous = incident.requester
    if person.id == previous.id:
        raise InvalidInput(f"{person_label(person)} is already the requester.")
    if incident.copies(person):
        incident.participants.remove(person)
    incident.requester = person
    incident.participants.append(previous)
    record(
        incident,
        actor,
        "requester_changed",
        changes={"requester": [person_label(previous), person_label(person)]},
        participant_added=person_label(previous),
    )
    commit()
