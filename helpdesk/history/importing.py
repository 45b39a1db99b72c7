"""`helpdesk import`: incident history from a `helpdesk export` file (format 1), written as
history, not replayed: nobody is mailed, no SLA clock runs, nothing is recomputed (an open
incident is left due for the scheduler's next SLA pass).

The file is checked whole first (nothing is written from a file with a bad line), then
written in batches, one transaction each, then linked. An incident whose reference is here
already is skipped, so importing a file twice changes nothing, and an import stopped half-way
(a database error names the line) is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    outcome = Outcome(present=len(entries) - len(new))
    progress(outcome.present)
    planning.advance_sequence(max(ids.values(), default=0))
    matcher = Matcher()
    for batch in planning.chunks(good_lines(path, set(ids)), batch_size):
        outcome.warnings += _write_batch(batch, ids, matcher)
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


def _write_batch(
    batch: list[tuple[int, IncidentLine]], ids: dict[int, int], matcher: Matcher
) -> list[str]:
    """Write one batch in one transaction and one flush (the search index and the reports'
    facts are then kept once for the batch); when the database refuses it, write it again
    flushing line by line, to name the line it refuses."""
    try:
        return _write(batch, ids, matcher, each=False)
    except SQLAlchemyError:
        matcher.forget()  # the unit rolled back what it had made
    return _write(batch, ids, matcher, each=True)


@unit_of_work
def _write(
    batch: list[tuple[int, IncidentLine]], ids: dict[int, int], matcher: Matcher, each: bool
) -> list[str]:
    """Stage the batch's lines and commit; with `each`, flush every line on its own and
    raise ImportFailed naming the one the database refuses."""
    warnings: list[str] = []
    for number, line in batch:
        with _refused(f"line {number}", line.reference, each):
            warnings += add_incident(number, line, ids[number], matcher)
            if each:
                db.session.flush()
    with _refused(f"lines {batch[0][0]}-{batch[-1][0]}", "them", each):
        commit()
    matcher.settle()
    return warnings


@contextmanager
def _refused(where: str, what: str, naming: bool) -> Iterator[None]:
    """Turn a database error into ImportFailed saying where, when `naming`."""
    try:
        yield
    except SQLAlchemyError as error:
        if not naming:
            raise
        reason = getattr(error, "orig", None) or error
        raise ImportFailed(
            f"{where}: the database refused {what} ({reason}). The batches before are in; "
            "fix it and import the file again (what is in is skipped)."
        ) from error
