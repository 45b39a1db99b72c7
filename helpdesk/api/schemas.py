"""What the API sends and takes, as pydantic models: they validate, serialize and make the
OpenAPI document. Times are stored as naive UTC and sent as ISO 8601 with `Z`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from helpdesk.core.zones import utc_iso

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


class MessageOut(BaseModel):
    """One message of an incident's conversation: a public reply, or (agents only) an
    internal note or a system event."""

    id: int
    kind: str = Field(description="reply, note or event")
    author: str | None = Field(default=None, description="The author's name; none for the system.")
    body: str
    created_at: UtcTime


class IncidentOut(BaseModel):
    """An incident as its requester (public conversation) or an agent (all of it) sees it."""

    reference: str
    subject: str
    description: str
    status: str
    priority: int
    impact: str
    urgency: str
    channel: str
    category: str | None
    service: str | None
    requester: str = Field(description="The requester's email address.")
    assigned_team: str | None
    assigned_agent: str | None
    created_at: UtcTime
    updated_at: UtcTime
    response_due_at: UtcTime | None
    resolution_due_at: UtcTime | None
    resolved_at: UtcTime | None
    closed_at: UtcTime | None
    messages: list[MessageOut]
