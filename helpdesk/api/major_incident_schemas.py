"""What the major-incident operations take and send. The public side (a major incident's
title, summary, phase, services and updates) is all anyone sees; its children and
subscribers are agents' business."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from helpdesk.api.incident_schemas import Address, Body, Name, Text
from helpdesk.api.schemas import IncidentSummary, UtcTime
from helpdesk.major_incidents import UPDATE_PHASES
from helpdesk.models import MAJOR_PHASES

Reference = Annotated[str, Field(max_length=40, description="An incident's reference.")]


class MajorIn(Body):
    """Declare the incident major: what the public reads, and the services affected."""

    public_title: str = Field(max_length=255, description="Names the outage, not people.")
    public_summary: Text
    services: list[Name] = Field(max_length=50, description="Affected services, by name.")


class UpdateIn(Body):
    """A public update: the phase it moves to, and its text."""

    phase: Literal[*UPDATE_PHASES]  # type: ignore[valid-type]
    body: Text


class MajorResolveIn(Body):
    """Resolve the major incident: notes for its requester, a message for everyone (the final
    update, and the resolution notes of every open child)."""

    notes: Text
    public_message: Text


class ChildIn(Body):
    """Attach an incident as a child."""

    reference: Reference


class SubscriberIn(Body):
    """Who subscribes: the caller, or (agents) the person with this address."""

    email: Address | None = Field(default=None, description="Agents only: another person.")


class UpdateOut(BaseModel):
    """One public update."""

    phase: Literal[*MAJOR_PHASES]  # type: ignore[valid-type]
    body: str
    created_at: UtcTime


class Updates(BaseModel):
    """A major incident's public updates, newest first."""

    items: list[UpdateOut]


class MajorOut(BaseModel):
    """A major incident as the status page shows it."""

    reference: str
    public_title: str
    public_summary: str
    phase: Literal[*MAJOR_PHASES]  # type: ignore[valid-type]
    services: list[str]
    declared_at: UtcTime
    resolved_at: UtcTime | None = Field(description="None while it is going on.")
    updates: list[UpdateOut] = Field(description="Newest first.")


class Majors(BaseModel):
    """The current major incidents, then those resolved in the last seven days."""

    items: list[MajorOut]


class Children(BaseModel):
    """The incidents attached to a major incident, oldest first."""

    items: list[IncidentSummary]


class SubscriberOut(BaseModel):
    """One subscriber and how they came to be one."""

    email: str
    name: str
    via: str
    created_at: UtcTime


class Subscribers(BaseModel):
    """Everyone who gets the public updates, in the order they subscribed."""

    items: list[SubscriberOut]
