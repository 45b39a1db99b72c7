"""The catalogues as the API gives them: active categories and services (what a requester
may choose on the portal), and teams (agents only, as on the web)."""

from __future__ import annotations

from spectree import Response

from helpdesk import directory
from helpdesk.api.auth import caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.problems import REFUSALS, problem
from helpdesk.api.schemas import Entries, Entry
from helpdesk.core.errors import InvalidInput
from helpdesk.models import CatalogueEntry
from helpdesk.reads.my_incidents import active_categories, active_services

LISTED = Response(HTTP_200=Entries, **REFUSALS)


def _entries(rows: list[CatalogueEntry]) -> Entries:
    return Entries(items=[Entry(id=row.id, name=row.name) for row in rows])


@bp.get("/categories")
@requires("read")
@spec.validate(resp=LISTED, tags=["catalogue"])
def categories() -> Entries:
    """The active categories, by name."""
    return _entries(list(active_categories()))


@bp.get("/services")
@requires("read")
@spec.validate(resp=LISTED, tags=["catalogue"])
def services() -> Entries:
    """The active services, by name."""
    return _entries(list(active_services()))


@bp.get("/teams")
@requires("read")
@spec.validate(resp=LISTED, tags=["catalogue"])
def teams() -> Entries | object:
    """The teams, by name (agents only)."""
    if not caller().is_agent:
        return problem(403, "not_allowed", "Only agents see the teams.")
    return Entries(items=[Entry(id=team.id, name=team.name) for team in directory.teams()])


def entry_named(kind: str, name: str | None) -> int | None:
    """The id of the entry of catalogue `kind` ("categories", "services") a request names,
    case aside, for the service layer to check; an unknown name is refused with the names
    there are."""
    if name is None or not name.strip():
        return None
    wanted = name.strip().casefold()
    entries = directory.entries(kind)
    found = next((entry for entry in entries if entry.name.casefold() == wanted), None)
    if found is None:
        offered = ", ".join(entry.name for entry in entries if entry.active) or "none"
        singular = directory.catalogue(kind).singular
        raise InvalidInput(f"No {singular} is called {name[:80]!r}; there are: {offered}.")
    return found.id
