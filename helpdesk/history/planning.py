"""Before writing: which lines are in already (by reference), which id each new incident
gets, and whether a mail Message-ID of the file is taken here. Reads only.

An incident keeps the id its reference spells (INC-000123 is incident 123) when the reference
has this helpdesk's prefix and the id is free, so later incidents, numbered by id, never get
an imported reference; the others get ids past every id in use and planned, and the
PostgreSQL sequence is moved past them all before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select, text

from helpdesk.core.settings import settings
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.history.reading import BadFile, Entry
from helpdesk.models import Incident, Message
from helpdesk.references import spell_reference

# Values per IN (...) query: far below SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500
T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """The items in lists of at most `size`."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(column: Any, values: Sequence[Any]) -> set[Any]:
    """The values that `column` holds already."""
    found: set[Any] = set()
    for part in chunks(values, CHUNK):
        found.update(db.session.scalars(select(column).where(column.in_(part))))
    return found


def present(entries: Sequence[Entry]) -> set[str]:
    """The references of the file that this helpdesk has already."""
    return _existing(Incident.reference, [e.reference for e in entries])


def own_number(reference: str) -> int | None:
    """The number a reference spells with this helpdesk's prefix, exactly as spelled here."""
    prefix = settings().site.reference_prefix
    match = re.fullmatch(rf"{re.escape(prefix.strip())}-(\d+)", reference)
    if match is None or spell_reference(prefix, int(match.group(1))) != reference:
        return None
    return int(match.group(1))


def plan_ids(entries: Sequence[Entry]) -> dict[int, int]:
    """The id of each new line's incident, by line number."""
    wanted = {e.number: own_number(e.reference) for e in entries}
    numbers = [n for n in wanted.values() if n is not None]
    taken = _existing(Incident.id, numbers)
    ids = {line: n for line, n in wanted.items() if n is not None and n not in taken}
    highest = db.session.scalar(select(func.max(Incident.id))) or 0
    following = max([highest, *ids.values()]) + 1
    for line in sorted(wanted):
        if line not in ids:
            ids[line] = following
            following += 1
    return ids


def check_message_ids(entries: Sequence[Entry]) -> None:
    """Refuse the file (BadFile) when a Message-ID of its mail is on an incident here."""
    line_of = {mid: e.number for e in entries for mid in e.message_ids}
    clashes: list[tuple[int, str]] = []
    for part in chunks(list(line_of), CHUNK):
        rows = db.session.execute(
            select(Message.email_message_id, Incident.reference)
            .join(Incident, Incident.id == Message.incident_id)
            .where(Message.email_message_id.in_(part))
        )
        clashes.extend(
            (line_of[mid], f"line {line_of[mid]}: Message-ID {mid} is already on {reference}")
            for mid, reference in rows
            if mid is not None
        )
    if clashes:
        raise BadFile([problem for _, problem in sorted(clashes)])


@unit_of_work
def advance_sequence(at_least: int = 0) -> None:
    """On PostgreSQL, move the incidents' id sequence past `at_least` and every id in use,
    so that the next incident opened gets a free id (SQLite numbers past the highest)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('incidents', 'id'), "
            "GREATEST(:at_least, (SELECT COALESCE(MAX(id), 0) FROM incidents), 1))"
        ),
        {"at_least": at_least},
    )
    commit()
