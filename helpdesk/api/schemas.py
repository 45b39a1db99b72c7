"""What the API sends and takes, as pydantic models: they validate, serialize and make the
OpenAPI document. Times are stored as naive UTC and sent as ISO 8601 with `Z`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from werkzeug.exceptions import UnsupportedMediaType

from helpdesk.core.zones import utc_iso
from helpdesk.lifecycle import STATUSES
from helpdesk.reads.queues import QUEUES, SORTS

QUEUE_NAMES = tuple(QUEUES)
SORT_NAMES = tuple(SORTS)

# A stored (naive UTC) instant, sent as e.g. 2026-11-30T09:00:00Z (through a lambda:
# pydantic would pass its serialization info as utc_iso's second argument).
UtcTime = Annotated[datetime, PlainSerializer(lambda moment: utc_iso(moment), return_type=str)]


class Entry(BaseModel):
    """A named entry: a category, a service or a team."""

    id: int
    name: str


class Entries(BaseModel):
    """A list of entries, by name."""

    items: list[Entry]


class AttachmentOut(BaseModel):
    """A file on a message; its `url` sends the bytes as a download."""

    id: int
    filename: str
    size: int = Field(description="In bytes.")
    content_type: str = Field(description="As uploaded (the download is always a download).")
    url: str = Field(description="Where to GET the file.")


class MessageOut(BaseModel):
    """One message of an incident's conversation: a public reply, or (agents only) an
    internal note or a system event."""

    id: int
    kind: str = Field(description="reply, note or event")
    author: str | None = Field(default=None, description="The author's name; none for the system.")
    body: str
    created_at: UtcTime
    attachments: list[AttachmentOut] = []


class IncidentSummary(BaseModel):
    """An incident as a list shows it, without its conversation."""

    reference: str
    subject: str
    status: str
    priority: int
    channel: str
    category: str | None
    service: str | None
    requester: str = Field(description="The requester's email address.")
    assigned_team: str | None
    assigned_agent: str | None
    created_at: UtcTime
    updated_at: UtcTime
    resolution_due_at: UtcTime | None


class IncidentOut(IncidentSummary):
    """An incident as its requester (public conversation) or an agent (all of it) sees it."""

    description: str
    impact: str
    urgency: str
    owner_team: str | None = Field(description="The team that owns it end to end (ITIL).")
    owner_agent: str | None = Field(description="The agent who took ownership.")
    response_due_at: UtcTime | None
    resolved_at: UtcTime | None
    closed_at: UtcTime | None
    parent: str | None = Field(description="The major incident it is a child of (INC-...).")
    problem: str | None = Field(description="Its problem (PRB-...); agents only.")
    caused_by_change: str | None = Field(
        description="The change that caused it (CHG-...); agents only."
    )
    messages: list[MessageOut]


class IncidentPage(BaseModel):
    """One page of incidents and the URL of the next one (none on the last page)."""

    items: list[IncidentSummary]
    next: str | None = Field(description="The next page's URL, to GET as it is.")


class IncidentQuery(BaseModel):
    """Which incidents to list. Agents list a console queue with its filters (ids as the
    catalogue and team lists give them); requesters list their own, by status only."""

    model_config = ConfigDict(extra="forbid")

    queue: Literal[*QUEUE_NAMES] | None = Field(  # type: ignore[valid-type]
        default=None, description="An agent's queue; default `open`."
    )
    status: Literal[*STATUSES] | None = None  # type: ignore[valid-type]
    priority: int | None = Field(default=None, ge=1, le=5)
    category: int | None = Field(default=None, ge=1, le=2**31 - 1)
    team: int | None = Field(default=None, ge=1, le=2**31 - 1)
    agent: int | None = Field(default=None, ge=1, le=2**31 - 1)
    q: str | None = Field(default=None, max_length=200, description="Words or a reference.")
    sort: Literal[*SORT_NAMES] | None = Field(  # type: ignore[valid-type]
        default=None, description="An agent's sort; default: last activity, newest first."
    )
    after: str | None = Field(
        default=None, max_length=100, description="Where to continue: from a `next` URL."
    )
    limit: int = Field(default=25, ge=1, le=100)


class IncidentIn(BaseModel):
    """A new incident. A requester reports for themselves; an agent may name the requester
    (an existing person, by email address) and how they got in touch."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=255)
    description: str = Field(min_length=1)
    requester: str | None = Field(
        default=None, max_length=320, description="Agents only: the requester's address."
    )
    category: str | None = Field(default=None, max_length=100, description="A category's name.")
    service: str | None = Field(default=None, max_length=100, description="A service's name.")
    impact: Literal["high", "medium", "low"] = "low"
    urgency: Literal["high", "medium", "low"] = "medium"
    channel: Literal["api", "phone", "walk-in", "chat"] = Field(
        default="api",
        description="Agents only: phone, walk-in or chat when logging a caller's incident.",
    )


Body = TypeVar("Body")


def sent(body: Body | None, media_type: str = "application/json") -> Body:
    """The body spectree read; None when it came as another media type than the
    operation's (a form for JSON, JSON for files), which is a 415, not a server error."""
    if body is None:
        raise UnsupportedMediaType(f"Send the body as {media_type}.")
    return body
