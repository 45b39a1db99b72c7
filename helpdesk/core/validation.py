"""Checks shared by the service functions: required text, known catalogue entries, roles."""

from __future__ import annotations

import re
from typing import TypeVar

from helpdesk.bounds import is_id
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.extensions import Model, db
from helpdesk.models import CatalogueEntry, User
from helpdesk.priority import LEVELS

Row = TypeVar("Row", bound=Model)
Entry = TypeVar("Entry", bound=CatalogueEntry)

SUBJECT_MAX = 255
BODY_MAX = 100_000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def typed_text(value: str | None) -> str:
    """Text as people meant it: stripped, without invisible control characters (pasted text
    can carry NUL and escape codes, and PostgreSQL refuses NUL); tabs and line ends stay."""
    return CONTROL_CHARACTERS.sub("", value or "").strip()


def required_text(value: str | None, field: str, max_length: int = BODY_MAX) -> str:
    """Return the stripped text, or raise if it is empty or too long."""
    text = typed_text(value)
    if not text:
        raise InvalidInput(f"{field} cannot be empty.")
    if len(text) > max_length:
        raise InvalidInput(f"{field} is too long (at most {max_length} characters).")
    return text


def optional_text(value: str | None, field: str, max_length: int = BODY_MAX) -> str | None:
    """Return the stripped text or None when blank; raise if it is too long."""
    text = typed_text(value)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is too long (at most {max_length} characters).")
    return text or None


def level(value: str, field: str) -> str:
    """Check an impact or urgency value."""
    if value not in LEVELS:
        raise InvalidInput(f"{field} must be high, medium or low.")
    return value


def existing(model: type[Row], ident: int | None, label: str) -> Row | None:
    """Load a row by id, None for None, or raise NotFound naming what was missing (also for
    a number no id can be, which the database would refuse rather than not find)."""
    if ident is None:
        return None
    row = db.session.get(model, ident) if is_id(ident) else None
    if row is None:
        raise NotFound(f"Unknown {label}.")
    return row


def active_catalogue_entry(model: type[Entry], ident: int | None, label: str) -> Entry | None:
    """Load a category or service that is still offered for new classification."""
    entry = existing(model, ident, label)
    if entry is not None and not entry.active:
        raise InvalidInput(f"The {label} {entry.name!r} is retired.")
    return entry


def require_agent(actor: User | None) -> None:
    """Refuse agent-only work to anyone but agents and admins (None is the system)."""
    if actor is not None and not actor.is_agent:
        raise NotAllowed("Only agents can do that.")
