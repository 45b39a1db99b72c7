"""What the problem operations take and send: a problem as a list shows it and in full,
a page of them, a new problem, a change to one, its resolution, and the link an incident
takes to a problem. People are named by address, teams and services by name, incidents and
problems by reference, as in the rest of the API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.schemas import UtcTime
from helpdesk.bounds import MAX_PAGE
from helpdesk.models.problem import PROBLEM_STATUSES

Text = Annotated[str, Field(max_length=100_000)]
Name = Annotated[str, Field(max_length=100)]
Reference = Annotated[str, Field(max_length=40)]
Status = Literal[*PROBLEM_STATUSES]  # type: ignore[valid-type]
# Resolving takes its fix: POST .../resolve, not a status in a PATCH.
PlainStatus = Literal["new", "investigating", "known_error", "closed"]


class Body(BaseModel):
    """A request body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class LinkedIncident(BaseModel):
    """An incident linked to a problem."""

    reference: str
    subject: str
    status: str


class ProblemSummary(BaseModel):
    """A problem as a list shows it."""

    reference: str
    title: str
    status: str = Field(description="new, investigating, known_error, resolved or closed")
    priority: int
    owner_team: str | None
    owner_agent: str | None = Field(description="The owner agent's email address.")
    services: list[str] = Field(description="The affected services, by name.")
    open_incidents: int = Field(description="How many of its incidents are still open.")
    created_at: UtcTime
    updated_at: UtcTime


class ProblemOut(ProblemSummary):
    """A problem in full: what is known, its incidents and its change."""

    description: str
    root_cause: str | None
    workaround: str | None
    fix: str | None
    change: str | None = Field(description="The linked change's reference (CHG-...).")
    incidents: list[LinkedIncident]
    resolved_at: UtcTime | None
    closed_at: UtcTime | None


class ProblemPage(BaseModel):
    """One page of problems and the URL of the next one (none on the last page)."""

    items: list[ProblemSummary]
    next: str | None = Field(description="The next page's URL, to GET as it is.")


class ProblemQuery(BaseModel):
    """Which problems to list: by status (known errors: `known_error`) and words that must
    all be in the title, description, root cause or workaround."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    q: str | None = Field(default=None, max_length=200, description="Words, all required.")
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=25, ge=1, le=100)


class ProblemIn(Body):
    """A new problem (status new), with the incidents it explains."""

    title: str = Field(min_length=1, max_length=255)
    description: Text = ""
    priority: int = Field(default=3, ge=1, le=5)
    owner_team: Name | None = Field(default=None, description="A team's name.")
    owner_agent: Annotated[str, Field(max_length=320)] | None = Field(
        default=None, description="An agent's email address."
    )
    services: list[Name] = Field(default_factory=list, max_length=50)
    root_cause: Text | None = None
    workaround: Text | None = None
    incidents: list[Reference] = Field(
        default_factory=list, max_length=200, description="Incidents to link, by reference."
    )


class ProblemChange(Body):
    """A change to a problem: the fields sent replace those stored; `status` moves it
    (not to resolved: POST .../resolve); `change` links a change by reference (null
    removes the link)."""

    title: str | None = Field(default=None, max_length=255)
    description: Text | None = None
    priority: int | None = Field(default=None, ge=1, le=5)
    owner_team: Name | None = None
    owner_agent: Annotated[str, Field(max_length=320)] | None = None
    services: list[Name] | None = Field(default=None, max_length=50)
    root_cause: Text | None = None
    workaround: Text | None = None
    status: PlainStatus | None = None
    change: Reference | None = None


class ResolveProblemIn(Body):
    """Resolve with the fix; `incidents` (references of its open incidents) are resolved
    with the fix as their resolution notes in the same call."""

    fix: Text
    incidents: list[Reference] = Field(default_factory=list, max_length=200)


class ProblemLinkIn(Body):
    """The problem to link the incident to."""

    problem: Reference = Field(description="The problem's reference, e.g. PRB-000123.")
