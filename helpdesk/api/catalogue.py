"""The catalogues as the API gives them: active categories and services (what a requester
may choose on the portal), and teams (agents only, as on the web)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from spectree import Response

from helpdesk import directory
from helpdesk.api.auth import agents_only, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.problems import REFUSALS
from helpdesk.api.schemas import Entries, Entry
from helpdesk.core.errors import InvalidInput
from helpdesk.models import CatalogueEntry
from helpdesk.reads.my_incidents import active_categories, active_services

LISTED = Response(HTTP_200=Entries, **REFUSALS)


class Named(Protocol):
    """A row a request may name: a category, a service, a team."""

    id: int
    name: str


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
    agents_only("see the teams")
    return Entries(items=[Entry(id=team.id, name=team.name) for team in directory.teams()])


def entry_named(kind: str, name: str | None) -> int | None:
    """The id of the entry of catalogue `kind` ("categories", "services") a request names,
    case aside, for the service layer to check (it refuses a retired one); an unknown name
    is refused with the active names there are."""
    entries = directory.entries(kind)
    offered = [entry.name for entry in entries if entry.active]
    return id_named(entries, name, directory.catalogue(kind).singular, offered)


def team_named(name: str | None) -> int | None:
    """The id of the team a request names, case aside; an unknown name is refused."""
    teams = directory.teams()
    return id_named(teams, name, "team", [team.name for team in teams])


def id_named(rows: Sequence[Named], name: str | None, label: str, offered: list[str]) -> int | None:
    """The id of the row called `name` (case and surrounding blanks aside), None for no
    name; an unknown name is refused, listing the names on offer."""
    if name is None or not name.strip():
        return None
    wanted = name.strip().casefold()
    found = next((row for row in rows if row.name.casefold() == wanted), None)
    if found is None:
        there_are = ", ".join(offered) or "none"
        raise InvalidInput(f"No {label} is called {name[:80]!r}; there are: {there_are}.")
    return found.id
