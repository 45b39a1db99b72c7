"""Reading a history file: every line checked against its format, each bad one named with its
number and what is wrong, so that nothing is written from a file with a bad line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from helpdesk.core.errors import InvalidInput
from helpdesk.history.format_one import IncidentLine, Links

# The formats this helpdesk reads, by the line's "format" (format 1 has no such field).
READERS: dict[int, type[IncidentLine]] = {1: IncidentLine}
# What one line's message lists at most, so a line that is all wrong stays one readable line.
ERRORS_PER_LINE = 3

SAYS = {
    "missing": "missing",
    "extra_forbidden": "not a field of this format",
    "string_type": "not text",
    "int_type": "not a whole number",
    "bool_type": "not true or false",
    "list_type": "not a list",
    "dict_type": "not an object",
    "model_type": "not an object",
    "string_too_short": "empty",
    "string_pattern_mismatch": "not a SHA-256 digest in hexadecimal",
}


class BadLine(ValueError):
    """One line that cannot be imported; the message starts with its number."""


class BadFile(InvalidInput):
    """A file with bad lines: every one of them, each with its number."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems; the message counts them."""
        self.problems = problems
        super().__init__(f"{len(problems)} bad line{'s' if len(problems) != 1 else ''}.")


@dataclass(frozen=True)
class Entry:
    """What the import needs to know about a line before writing it (and links after)."""

    number: int
    reference: str
    links: Links
    message_ids: tuple[str, ...]


def raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's non-blank lines with their numbers (counted from 1, blank ones too)."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if raw.strip():
                yield number, raw


def parse(number: int, raw: bytes) -> IncidentLine:
    """One line as a model of its format, or BadLine saying what is wrong."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadLine(f"line {number}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadLine(f"line {number}: not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(data, dict):
        raise BadLine(f"line {number}: not a JSON object")
    version = data.pop("format", 1)
    reader = READERS.get(version) if isinstance(version, int) else None
    if reader is None:
        known = ", ".join(str(key) for key in READERS)
        raise BadLine(f"line {number}: format {version!r} is not one this helpdesk reads ({known})")
    try:
        return reader.model_validate(data)
    except ValidationError as error:
        raise BadLine(f"line {number}: {describe(error.errors())}") from None


def describe(errors: list[ErrorDetails]) -> str:
    """What is wrong with a line, field by field ("messages[3].created_at: not an ISO 8601
    time"), the first few of them."""
    said = [f"{where(error['loc'])}: {what(error)}" for error in errors[:ERRORS_PER_LINE]]
    more = len(errors) - ERRORS_PER_LINE
    return "; ".join(said) + (f"; and {more} more" if more > 0 else "")


def where(location: tuple[int | str, ...]) -> str:
    """A field's path as written in the file: messages[3].created_at."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "the line"


def what(error: ErrorDetails) -> str:
    """What is wrong with one field, in words."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error":
        return str(context["error"])
    if error["type"] == "string_too_long":
        return f"longer than {context['max_length']} characters"
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        return f"{error['input']!r} is out of range ({error['msg'].lower()})"
    return SAYS.get(error["type"], error["msg"])


def check_file(path: Path) -> list[Entry]:
    """Check every line; return what each good one says, or raise BadFile listing every bad
    line (references and mail Message-IDs must also be unique in the file)."""
    problems: list[str] = []
    entries: list[Entry] = []
    first_seen: dict[str, int] = {}
    for number, raw in raw_lines(path):
        try:
            line = parse(number, raw)
        except BadLine as error:
            problems.append(str(error))
            continue
        entry = Entry(number, line.reference, line.links, message_ids(line))
        clash = _clash(entry, first_seen)
        if clash:
            problems.append(clash)
        entries.append(entry)
    if problems:
        raise BadFile(problems)
    return entries


def message_ids(line: IncidentLine) -> tuple[str, ...]:
    """The mail Message-IDs of a line's messages (unique in the database)."""
    return tuple(m.email_message_id for m in line.messages if m.email_message_id)


def _clash(entry: Entry, first_seen: dict[str, int]) -> str | None:
    """Say so when a line repeats a reference or a Message-ID of an earlier line."""
    keys = [("reference", entry.reference), *(("Message-ID", mid) for mid in entry.message_ids)]
    for label, key in keys:
        earlier = first_seen.setdefault(f"{label} {key}", entry.number)
        if earlier != entry.number:
            return f"line {entry.number}: {label} {key} is also on line {earlier}"
    if len(set(entry.message_ids)) < len(entry.message_ids):
        return f"line {entry.number}: two messages have the same Message-ID"
    return None


def good_lines(path: Path, numbers: set[int]) -> Iterator[tuple[int, IncidentLine]]:
    """Read the lines with these numbers again (checked already), as models."""
    for number, raw in raw_lines(path):
        if number in numbers:
            yield number, parse(number, raw)
