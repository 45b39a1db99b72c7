"""Links between imported incidents, made once every line is in, so that a line may name an
incident further down the file: related incidents, merges (from either side) and follow-ups.
A link to a reference that is neither in the file nor in this helpdesk is left out, with a
warning naming the line."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.history.planning import CHUNK, chunks
from helpdesk.history.reading import Entry
from helpdesk.models import Incident, IncidentLink


def references(entries: Sequence[Entry], imported: dict[str, int]) -> dict[str, int]:
    """The id of every reference the entries' links name (imported now, or here before)."""
    named = {
        reference
        for entry in entries
        for reference in (
            *entry.links.related,
            *entry.links.merged_from,
            entry.links.merged_into,
            entry.links.reopened_from,
        )
        if reference and reference not in imported
    }
    found = dict(imported)
    for part in chunks(sorted(named), CHUNK):
        rows = db.session.execute(
            select(Incident.reference, Incident.id).where(Incident.reference.in_(part))
        )
        found.update((reference, ident) for reference, ident in rows if reference)
    return found


@unit_of_work
def link(entries: Sequence[Entry], ids: dict[str, int]) -> list[str]:
    """Make the links the entries name (already imported, with the ids of `ids`); return a
    warning for each reference that names nothing."""
    warnings: list[str] = []

    def target(entry: Entry, field: str, reference: str) -> int | None:
        found = ids.get(reference)
        if found is None:
            warnings.append(
                f"line {entry.number}: links.{field} {reference} is neither in the file nor in "
                "this helpdesk; not linked"
            )
        return found

    for entry in entries:
        own = ids[entry.reference]
        for reference in entry.links.related:
            other = target(entry, "related", reference)
            if other is not None and other != own:
                _relate(own, other)
        if entry.links.merged_into:
            _merge(own, target(entry, "merged_into", entry.links.merged_into))
        for reference in entry.links.merged_from:
            duplicate = target(entry, "merged_from", reference)
            if duplicate is not None:
                _merge(duplicate, own)
        if entry.links.reopened_from:
            _follow(own, target(entry, "reopened_from", entry.links.reopened_from))
    commit()
    return warnings


def _relate(one: int, other: int) -> None:
    """A related link, stored once with the lower id first, unless there is one."""
    low, high = sorted((one, other))
    if db.session.get(IncidentLink, (low, high)) is None:
        db.session.add(IncidentLink(low_id=low, high_id=high))


def _merge(duplicate: int, into: int | None) -> None:
    """Mark `duplicate` as merged into `into` (both sides of a merge name it: once is done)."""
    incident = db.session.get(Incident, duplicate)
    if incident is not None and into is not None and incident.merged_into_id is None:
        incident.merged_into_id = into


def _follow(follow_up: int, closed: int | None) -> None:
    """Mark the incident as opened as the follow-up of a closed one."""
    incident = db.session.get(Incident, follow_up)
    if incident is not None and closed is not None:
        incident.reopened_from_id = closed
