"""`helpdesk import`: incident history from a `helpdesk export` file (format 1), written as
history, not replayed: nobody is mailed, no SLA clock runs, nothing is recomputed.

The file is checked whole first (nothing is written from a file with a bad line), then
written in batches, one transaction each, then linked. An incident whose reference is here
already is skipped, so importing a file twice changes nothing, and an import stopped half-way
(a database error names the line) is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from helpdesk.core.errors import DomainError
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.history import linking, planning
from helpdesk.history.building import add_incident
from helpdesk.history.format_one import IncidentLine
from helpdesk.history.matching import Matcher
from helpdesk.history.reading import check_file, good_lines

BATCH_SIZE = 200


class ImportFailed(DomainError):
    """The database refused a line; the batches before it are in."""


@dataclass
class Outcome:
    """What an import did."""

    lines: int = 0
    imported: int = 0
    present: int = 0
    people_created: int = 0
    entries_created: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for the person who ran it."""
        return (
            f"Imported {_count(self.imported, 'incident')} ({self.present} already present), "
            f"{_count(self.people_created, 'person', 'people')} and "
            f"{self.entries_created} teams/categories/services created."
        )


def _count(number: int, one: str, many: str | None = None) -> str:
    """A count with its noun, singular for one."""
    return f"{number} {one if number == 1 else many or one + 's'}"


def import_file(
    path: Path, progress: Callable[[int], None] = lambda done: None, batch_size: int = BATCH_SIZE
) -> Outcome:
    """Import every incident of the file not here yet; raise BadFile (nothing written) when
    a line is bad, ImportFailed when the database refuses one. `progress` hears how many
    more lines are done."""
    entries = check_file(path)
    here = planning.present(entries)
    new = [entry for entry in entries if entry.reference not in here]
    planning.check_message_ids(new)
    ids = planning.plan_ids(new)
    outcome = Outcome(lines=len(entries), present=len(entries) - len(new))
    progress(outcome.present)
    planning.advance_sequence(max(ids.values(), default=0))
    matcher = Matcher()
    for batch in planning.chunks(good_lines(path, set(ids)), batch_size):
        outcome.warnings += _write(batch, ids, matcher)
        outcome.imported += len(batch)
        progress(len(batch))
    imported = {entry.reference: ids[entry.number] for entry in new}
    known = linking.references(new, imported)
    for part in planning.chunks(new, batch_size):
        outcome.warnings += linking.link(part, known)
    planning.advance_sequence()
    outcome.people_created = matcher.people_created
    outcome.entries_created = matcher.entries_created
    return outcome


@unit_of_work
def _write(
    batch: list[tuple[int, IncidentLine]], ids: dict[int, int], matcher: Matcher
) -> list[str]:
    """Write one batch of lines in one transaction; return their warnings."""
    warnings: list[str] = []
    for number, line in batch:
        try:
            warnings += add_incident(number, line, ids[number], matcher)
            db.session.flush()
        except SQLAlchemyError as error:
            reason = getattr(error, "orig", None) or error
            raise ImportFailed(
                f"line {number}: the database refused {line.reference} ({reason}). The batches "
                "before it are in; fix it and import the file again (what is in is skipped)."
            ) from error
    commit()
    return warnings
