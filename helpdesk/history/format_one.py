"""Format 1 of the incident history: one line of `helpdesk export` as pydantic models, strict
enough that a bad line is refused with what is wrong and where ("messages[3].created_at: not
an ISO 8601 time"), before anything is written.

Format 1 has no version field; a later format says `"format": 2` and gets models of its own
beside these, so files written today stay readable. Fields the export derives (the priority's
and the resolution code's labels) are accepted and ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from helpdesk.addresses import InvalidAddress, normalise_address
from helpdesk.channels import IN_WORDS, INCIDENT_CHANNELS
from helpdesk.lifecycle import HOLD_REASONS, RESOLUTION_CODES, STATUSES
from helpdesk.models import EVENT, NOTE, REPLY
from helpdesk.priority import LEVELS, PRIORITY_LABELS

NAME_MAX = 80  # teams, categories and services (their columns' length)
SHA256_HEX = r"^[0-9a-f]{64}$"


def _time(value: object) -> datetime:
    """An ISO 8601 time with a zone (export writes Z) as the naive UTC the database holds."""
    if not isinstance(value, str):
        raise ValueError("not an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError("an ISO 8601 time without a zone: end it with Z for UTC")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _address(value: str) -> str:
    """An email address in the canonical form accounts are stored and matched in."""
    try:
        return normalise_address(value)
    except InvalidAddress:
        raise ValueError(f"{value!r} is not an email address") from None


def one_of(allowed: object, what: str) -> AfterValidator:
    """A check that a value is among the known ones, naming them when it is not."""
    known = list(allowed)  # type: ignore[call-overload]

    def check(value: Any) -> Any:
        if value not in known:
            listed = ", ".join(str(item) for item in known)
            raise ValueError(f"unknown {what} {value!r}; one of: {listed}")
        return value

    return AfterValidator(check)


def _name(value: str) -> str:
    """A team, category or service name as the directory keeps it: blanks collapsed."""
    name = " ".join(value.split())
    if not name:
        raise ValueError("an empty name")
    if len(name) > NAME_MAX:
        raise ValueError(f"a name longer than {NAME_MAX} characters")
    return name


Time = Annotated[datetime, BeforeValidator(_time)]
Email = Annotated[str, AfterValidator(_address)]
Name = Annotated[str, AfterValidator(_name)]
Level = Annotated[str, one_of(LEVELS, "level")]


class Strict(BaseModel):
    """No coercion ("3" is not a number) and no unknown fields (a typo is not ignored); no
    NUL character in any text, which PostgreSQL cannot store."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text with a NUL character")
        return value


class Person(Strict):
    """Someone by name and email; matched to an account by the email, case aside."""

    name: str = Field(default="", max_length=120)
    email: Email


class AttachmentLine(Strict):
    """An attachment's metadata; format 1 carries no bytes."""

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=127)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=SHA256_HEX)


class MessageLine(Strict):
    """One message of the conversation."""

    kind: Annotated[str, one_of((REPLY, NOTE, EVENT), "kind")]
    channel: Annotated[str, one_of(IN_WORDS, "channel")]
    author: Person | None = None
    body: str
    created_at: Time
    email_message_id: str | None = Field(default=None, max_length=255)
    needs_review: bool = False
    review_reason: str | None = Field(default=None, max_length=255)
    attachments: list[AttachmentLine] = []


class EventLine(Strict):
    """One audit trail entry, kept as it was recorded."""

    actor: Person | None = None
    action: str = Field(min_length=1, max_length=40)
    details: dict[str, Any] = {}
    created_at: Time

    @model_validator(mode="after")
    def _opened_at_a_priority(self) -> EventLine:
        """The SLA clock and the reports read the priority an incident opened at here."""
        if self.action == "opened" and self.details.get("priority") not in PRIORITY_LABELS:
            raise ValueError("an 'opened' event without details.priority (1 to 5)")
        return self


class Resolution(Strict):
    """How the incident was resolved."""

    code: Annotated[str, one_of(RESOLUTION_CODES, "resolution code")] | None = None
    label: str | None = None
    notes: str | None = None
    workaround: str | None = None


class Satisfaction(Strict):
    """The requester's rating (1 to 5) and comment."""

    rating: int = Field(ge=1, le=5)
    comment: str | None = None


class Links(Strict):
    """Relations to other incidents, by reference."""

    related: list[str] = []
    merged_into: str | None = None
    merged_from: list[str] = []
    reopened_from: str | None = None


class IncidentLine(Strict):
    """One incident with its conversation and audit trail."""

    reference: str = Field(min_length=1, max_length=32)
    subject: str = Field(min_length=1, max_length=255)
    description: str
    channel: Annotated[str, one_of(INCIDENT_CHANNELS, "channel")]
    requester: Person
    participants: list[Person] = []
    category: Name | None = None
    service: Name | None = None
    impact: Level
    urgency: Level
    priority: Annotated[int, one_of(PRIORITY_LABELS, "priority")]
    priority_label: str | None = None
    priority_override_reason: str | None = Field(default=None, max_length=255)
    status: Annotated[str, one_of(STATUSES, "status")]
    on_hold_reason: Annotated[str, one_of(HOLD_REASONS, "hold reason")] | None = None
    assigned_team: Name | None = None
    assigned_agent: Person | None = None
    owner_team: Name | None = None
    owner_agent: Person | None = None
    created_at: Time
    updated_at: Time
    last_activity_at: Time | None = None
    first_response_at: Time | None = None
    response_due_at: Time | None = None
    resolution_due_at: Time | None = None
    sla_paused_at: Time | None = None
    resolved_at: Time | None = None
    closed_at: Time | None = None
    resolution: Resolution | None = None
    problem_reference: str | None = None
    change_reference: str | None = None
    links: Links = Links()
    satisfaction: Satisfaction | None = None
    messages: list[MessageLine] = []
    audit_events: list[EventLine]

    @field_validator("audit_events")
    @classmethod
    def _opened(cls, events: list[EventLine]) -> list[EventLine]:
        """An incident's trail begins with its opening, which its clock starts from."""
        if not events or events[0].action != "opened":
            raise ValueError("does not begin with the 'opened' event")
        return events
