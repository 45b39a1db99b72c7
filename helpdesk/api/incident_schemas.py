"""What the operations on one incident take and send: a reply or a note, a classification,
an assignment, each action's own body, a participant, and files. Choices (hold reasons,
resolution codes, levels) are the ones the console offers; the service layer checks them
again and says why it refuses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema
from werkzeug.datastructures import FileStorage

from helpdesk.lifecycle import HOLD_REASONS, REQUESTER_ONLY_CODES, RESOLUTION_CODES

AGENT_CODES = tuple(code for code in RESOLUTION_CODES if code not in REQUESTER_ONLY_CODES)
HOLD_REASON_NAMES = tuple(HOLD_REASONS)
Level = Literal["high", "medium", "low"]
Text = Annotated[str, Field(max_length=100_000)]
Name = Annotated[str, Field(max_length=100)]
Address = Annotated[str, Field(max_length=320)]


class Body(BaseModel):
    """A request body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class MessageIn(Body):
    """A public reply or an internal note."""

    body: Text = Field(description="The text; it cannot be empty.")


class ClassificationIn(Body):
    """An agent's classification: the priority follows from impact and urgency unless
    overridden, which needs a reason."""

    impact: Level
    urgency: Level
    category: Name | None = Field(default=None, description="A category's name; none clears it.")
    service: Name | None = Field(default=None, description="A service's name; none clears it.")
    priority: int | None = Field(
        default=None, ge=1, le=5, description="Override the priority from impact and urgency."
    )
    reason: Text | None = Field(default=None, description="Why the priority is overridden.")


class AssignmentIn(Body):
    """Who works the incident: a team and, optionally, one of its agents (none for either
    unassigns it)."""

    team: Name | None = Field(default=None, description="A team's name.")
    agent: Address | None = Field(default=None, description="An agent's email address.")


class EscalateIn(Body):
    """Escalate with the reason the next team reads; without a team, to the assigned team's
    escalation team."""

    reason: Text
    team: Name | None = Field(default=None, description="The team's name to escalate to.")


class HoldIn(Body):
    """Put on hold, saying why; a note is kept as an internal note."""

    reason: Literal[*HOLD_REASON_NAMES] = Field(  # type: ignore[valid-type]
        description="awaiting_user pauses the SLA clock."
    )
    note: Text | None = Field(default=None, description="An internal note about the hold.")


class ResolveIn(Body):
    """Resolve: how, and the notes the requester reads (with a workaround, if any)."""

    code: Literal[*AGENT_CODES]  # type: ignore[valid-type]
    notes: Text
    workaround: Text | None = None


class ReopenIn(Body):
    """Reopen a resolved incident; a reason is kept as an internal note."""

    reason: Text | None = None


class CancelIn(Body):
    """Cancel (an agent: needs no work) or withdraw (the requester: no longer needs help)."""

    reason: Text | None = Field(
        default=None, description="Required from an agent; the requester may leave it out."
    )


class RejectIn(Body):
    """The requester says the resolution did not work."""

    comment: Text = Field(description="What is still wrong.")


class ParticipantIn(Body):
    """A person to copy on the incident, by address (a new address becomes an account, as
    on the console)."""

    email: Address


class PersonOut(BaseModel):
    """A person copied on an incident."""

    email: str
    name: str


class People(BaseModel):
    """The people copied on an incident."""

    items: list[PersonOut]


def _as_list(value: Any) -> Any:
    """One file arrives as itself, several as a list."""
    return value if isinstance(value, list) else [value]


def _uploaded(value: Any) -> FileStorage:
    """A part sent as a file; a text part of the same name is refused."""
    if not isinstance(value, FileStorage):
        raise ValueError("Send each file as a file part (with a filename), not as text.")
    return value


Upload = Annotated[
    FileStorage, PlainValidator(_uploaded), WithJsonSchema({"type": "string", "format": "binary"})
]


class FilesIn(BaseModel):
    """Files sent as multipart/form-data, with an optional text for the reply carrying them."""

    files: Annotated[list[Upload], BeforeValidator(_as_list)] = Field(
        min_length=1, description="One or more files (the part name `files`, repeated)."
    )
    body: Text = Field(default="", description="The reply's text; by default the files' names.")
