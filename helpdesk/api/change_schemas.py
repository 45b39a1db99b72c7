"""What the change operations take and send. Times are UTC: sent with Z, taken with Z or
any offset (converted to UTC) or none (read as UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from helpdesk.api.incident_schemas import Address, Body, Name
from helpdesk.api.schemas import IncidentSummary, UtcTime
from helpdesk.bounds import MAX_PAGE
from helpdesk.changes.records import EXTERNAL_ID_MAX, SERVICES_MAX, TITLE_MAX
from helpdesk.changes.windows import in_utc
from helpdesk.models import CHANGE_STATUSES

Status = Literal[*CHANGE_STATUSES]  # type: ignore[valid-type]
ExternalId = Annotated[str, Field(min_length=1, max_length=EXTERNAL_ID_MAX)]


# InvalidInput is a ValueError: pydantic reports a time out of range as a refused field.
UtcIn = Annotated[datetime, AfterValidator(in_utc)]


class ChangeOut(BaseModel):
    """A change record."""

    reference: str = Field(description="CHG-000123")
    external_id: str | None = Field(description="Its id in an external change system.")
    title: str
    description: str
    status: str = Field(description="planned, in_progress, completed, failed or cancelled")
    services: list[str] = Field(description="The services it touches, by name.")
    planned_start: UtcTime | None
    planned_end: UtcTime | None
    actual_start: UtcTime | None = Field(description="When it started; none before.")
    actual_end: UtcTime | None = Field(description="When it ended; none before.")
    implementer: str | None = Field(description="The implementing agent's address.")
    created_at: UtcTime
    updated_at: UtcTime


class ChangePage(BaseModel):
    """One page of changes, newest first; `next` is the next page's URL, if any."""

    items: list[ChangeOut]
    page: int
    next: str | None


class ChangeQuery(BaseModel):
    """Which changes to list."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    q: str | None = Field(
        default=None, max_length=200, description="A reference, an external id or title words."
    )
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=25, ge=1, le=100)


class ChangeIn(Body):
    """A new change. With `external_id`, the change an external system knows by that id:
    created the first time (201), updated by every later call (200), and only then with the
    status and actual times that system gives (taken as they are)."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=100_000)
    services: list[Name] = Field(min_length=1, max_length=SERVICES_MAX)
    planned_start: UtcIn
    planned_end: UtcIn
    implementer: Address | None = Field(default=None, description="An agent's address.")
    external_id: ExternalId | None = None
    status: Status | None = Field(default=None, description="With external_id only.")
    actual_start: UtcIn | None = Field(default=None, description="With external_id only.")
    actual_end: UtcIn | None = Field(default=None, description="With external_id only.")


class ChangeEdit(Body):
    """A change to a change: the fields sent replace those stored (`implementer` null
    removes it); `status` moves it on (planned -> in_progress -> completed or failed, or
    planned -> cancelled), `at` saying when it started or ended if not now."""

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=100_000)
    services: list[Name] | None = Field(default=None, min_length=1, max_length=SERVICES_MAX)
    planned_start: UtcIn | None = None
    planned_end: UtcIn | None = None
    implementer: Address | None = None
    external_id: ExternalId | None = None
    status: Status | None = None
    at: UtcIn | None = Field(default=None, description="When the status move happened.")


class CausedIncidents(BaseModel):
    """The incidents marked as caused by a change, newest first."""

    items: list[IncidentSummary]


class CauseIn(Body):
    """The change that caused an incident, by reference."""

    change: str = Field(min_length=1, max_length=40, description="CHG-000123")


class CauseOut(BaseModel):
    """An incident and the change marked as its cause (none once cleared)."""

    incident: str
    change: ChangeOut | None
