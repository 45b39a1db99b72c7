"""The service layer for the directory that admins keep: teams and their members, and the
catalogues (categories, services) incidents are classified with.

Like helpdesk.incidents, every function validates, raises a DomainError whose message is
meant for the admin, and commits. People themselves are changed through helpdesk.accounts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.validation import typed_text
from helpdesk.extensions import db
from helpdesk.models import ASSIGN_WITHIN, ROLES, CatalogueEntry, Category, Service, Team, User

log = logging.getLogger(__name__)

NAME_MAX = 80
DESCRIPTION_MAX = 255


@dataclass(frozen=True)
class TeamRouting:
    """Who leads a team and where its incidents go next: the lead (a member agent, told of
    SLA warnings and breaches and of escalations to the team), the escalation team (the
    next support tier, never the team itself) and how the assignment rules pick an agent
    within the team (ASSIGN_WITHIN: nobody, round-robin, fewest open incidents)."""

    lead_id: int | None = None
    escalation_team_id: int | None = None
    assign_within: str = "nobody"


ASSIGN_WITHIN_LABELS = {
    "nobody": "Nobody: the incident waits in the team's queue",
    "round_robin": "Round-robin: each agent in turn",
    "least_open": "Fewest open incidents",
}


@dataclass(frozen=True)
class Catalogue:
    """One catalogue admins maintain: its model and how to name its entries."""

    model: type[CatalogueEntry]
    singular: str
    plural: str


CATALOGUES = {
    "categories": Catalogue(Category, "category", "Categories"),
    "services": Catalogue(Service, "service", "Services"),
}


def _require_admin(actor: User) -> None:
    """Directory changes are for admins only (views check too; this keeps scripts honest)."""
    if not actor.is_admin:
        raise NotAllowed("Only admins can change teams and catalogues.")


def _clean_name(name: str | None, what: str) -> str:
    """Return a stripped, non-empty name of allowed length."""
    text = " ".join(typed_text(name).split())
    if not text:
        raise InvalidInput(f"The {what} needs a name.")
    if len(text) > NAME_MAX:
        raise InvalidInput(f"The {what} name is too long (at most {NAME_MAX} characters).")
    return text


def _refuse_duplicate(
    model: type[Team] | type[CatalogueEntry],
    name: str,
    what: str,
    own_id: int | None = None,
) -> None:
    """Names are unique regardless of letter case ("Network" and "network" would confuse)."""
    clash = db.session.scalars(
        select(model.name).where(func.lower(model.name) == name.lower(), model.id != (own_id or 0))
    ).first()
    if clash is not None:
        raise InvalidInput(f"There is already a {what} called {clash}.")


def _save(what: str) -> None:
    """Commit; a unique-name race lost to another admin becomes a readable refusal (the
    unit_of_work around the caller rolls the session back)."""
    try:
        commit()
    except IntegrityError as error:
        raise InvalidInput(f"That {what} name is already taken.") from error


def team(team_id: int) -> Team:
    """Load a team or raise NotFound."""
    found = db.session.get(Team, team_id)
    if found is None:
        raise NotFound("Unknown team.")
    return found


def teams() -> list[Team]:
    """All teams by name."""
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _check_service_desk(is_service_desk: bool, own_id: int | None) -> None:
    """Only one team can be the first line that owns incidents."""
    if not is_service_desk:
        return
    other = db.session.scalars(
        select(Team).where(Team.is_service_desk, Team.id != (own_id or 0))
    ).first()
    if other is not None:
        raise InvalidInput(
            f"{other.name} is already the service desk. Clear its service desk flag first."
        )


def _description(text: str | None) -> str:
    """Return a stripped description of allowed length."""
    value = typed_text(text)
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput(f"The description is too long (at most {DESCRIPTION_MAX} characters).")
    return value


def _route(changed: Team, routing: TeamRouting) -> None:
    """Set the team's lead, escalation team and assignment within it, checked."""
    lead = db.session.get(User, routing.lead_id) if routing.lead_id is not None else None
    if routing.lead_id is not None and lead is None:
        raise NotFound("Unknown lead.")
    if lead is not None and not (lead.is_agent and lead in changed.members):
        raise InvalidInput(
            f"{lead.name} is not an agent in {changed.name}: add them to the team first."
        )
    escalation = (
        db.session.get(Team, routing.escalation_team_id)
        if routing.escalation_team_id is not None
        else None
    )
    if routing.escalation_team_id is not None and escalation is None:
        raise NotFound("Unknown escalation team.")
    if escalation is not None and escalation.id == changed.id:
        raise InvalidInput(f"{changed.name} cannot escalate to itself: choose another team.")
    if routing.assign_within not in ASSIGN_WITHIN:
        raise InvalidInput(f"Choose how to assign within the team: {', '.join(ASSIGN_WITHIN)}.")
    changed.lead = lead
    changed.escalation_team = escalation
    changed.assign_within = routing.assign_within


@unit_of_work
def create_team(
    actor: User,
    name: str,
    description: str = "",
    is_service_desk: bool = False,
    routing: TeamRouting | None = None,
) -> Team:
    """Create a team (optionally the service desk, which keeps ownership of incidents); a
    new team has no members yet, so no lead."""
    _require_admin(actor)
    clean = _clean_name(name, "team")
    _refuse_duplicate(Team, clean, "team")
    _check_service_desk(is_service_desk, None)
    created = Team(
        name=clean,
        description=_description(description),
        is_service_desk=is_service_desk,
        assign_within="nobody",
    )
    db.session.add(created)
    if routing is not None:
        _route(created, routing)
    _save("team")
    log.info("user %s created team %s", actor.id, created.id)
    return created


@unit_of_work
def update_team(
    actor: User,
    team_id: int,
    name: str,
    description: str,
    is_service_desk: bool,
    routing: TeamRouting | None = None,
) -> Team:
    """Rename a team, change its description, or set or clear its service desk flag; with
    `routing`, also its lead, escalation team and assignment within it (None: as they are)."""
    _require_admin(actor)
    changed = team(team_id)
    clean = _clean_name(name, "team")
    _refuse_duplicate(Team, clean, "team", changed.id)
    _check_service_desk(is_service_desk, changed.id)
    changed.name = clean
    changed.description = _description(description)
    changed.is_service_desk = is_service_desk
    if routing is not None:
        _route(changed, routing)
    _save("team")
    log.info("user %s updated team %s", actor.id, changed.id)
    return changed


def _agent(user_id: int | None) -> User:
    """Load a user who can be a team member, i.e. an agent or admin."""
    person = db.session.get(User, user_id) if user_id is not None else None
    if person is None:
        raise NotFound("Choose someone to add.")
    if not person.is_agent:
        raise InvalidInput(f"{person.name} is not an agent. Give them the agent role first.")
    return person


@unit_of_work
def add_member(actor: User, team_id: int, user_id: int | None) -> User:
    """Add an agent to a team; return them."""
    _require_admin(actor)
    changed = team(team_id)
    person = _agent(user_id)
    if person in changed.members:
        raise InvalidInput(f"{person.name} is already in {changed.name}.")
    changed.members.append(person)
    commit()
    log.info("user %s added user %s to team %s", actor.id, person.id, changed.id)
    return person


@unit_of_work
def remove_member(actor: User, team_id: int, user_id: int) -> User:
    """Take someone out of a team (their current assignments stay as they are; a lead who
    leaves stops leading it); return them."""
    _require_admin(actor)
    changed = team(team_id)
    person = next((m for m in changed.members if m.id == user_id), None)
    if person is None:
        raise NotFound(f"That person is not in {changed.name}.")
    changed.members.remove(person)
    if changed.lead_id == person.id:
        changed.lead = None
    commit()
    log.info("user %s removed user %s from team %s", actor.id, person.id, changed.id)
    return person


def catalogue(kind: str) -> Catalogue:
    """Return the catalogue called `kind` ("categories" or "services") or raise NotFound."""
    if kind not in CATALOGUES:
        raise NotFound("Unknown catalogue.")
    return CATALOGUES[kind]


def entries(kind: str) -> list[CatalogueEntry]:
    """All entries of a catalogue, active ones first, then by name."""
    model = catalogue(kind).model
    return list(db.session.scalars(select(model).order_by(model.active.desc(), model.name)))


def entry(kind: str, entry_id: int) -> CatalogueEntry:
    """Load one catalogue entry or raise NotFound."""
    found = db.session.get(catalogue(kind).model, entry_id)
    if found is None:
        raise NotFound(f"Unknown {catalogue(kind).singular}.")
    return found


@unit_of_work
def create_entry(actor: User, kind: str, name: str) -> CatalogueEntry:
    """Add a category or service, offered for new incidents straight away."""
    _require_admin(actor)
    spec = catalogue(kind)
    clean = _clean_name(name, spec.singular)
    _refuse_duplicate(spec.model, clean, spec.singular)
    created = spec.model(name=clean, active=True)
    db.session.add(created)
    _save(spec.singular)
    log.info("user %s created %s %s", actor.id, spec.singular, created.id)
    return created


@unit_of_work
def rename_entry(actor: User, kind: str, entry_id: int, name: str) -> CatalogueEntry:
    """Rename a category or service; incidents classified with it show the new name."""
    _require_admin(actor)
    spec = catalogue(kind)
    changed = entry(kind, entry_id)
    clean = _clean_name(name, spec.singular)
    _refuse_duplicate(spec.model, clean, spec.singular, changed.id)
    changed.name = clean
    _save(spec.singular)
    log.info("user %s renamed %s %s", actor.id, spec.singular, changed.id)
    return changed


@unit_of_work
def set_entry_active(actor: User, kind: str, entry_id: int, active: bool) -> CatalogueEntry:
    """Retire an entry (kept on old incidents, no longer offered) or bring it back."""
    _require_admin(actor)
    changed = entry(kind, entry_id)
    changed.active = active
    commit()
    log.info("user %s set %s %s active=%s", actor.id, kind, changed.id, active)
    return changed


def summary() -> dict[str, int]:
    """How many people of each role, teams and active catalogue entries there are."""
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    counted = {role: int(roles.get(role, 0)) for role in ROLES}
    counted["teams"] = db.session.scalar(select(func.count()).select_from(Team)) or 0
    for kind, spec in CATALOGUES.items():
        counted[kind] = (
            db.session.scalar(select(func.count()).select_from(spec.model).where(spec.model.active))
            or 0
        )
    return counted


def agents() -> list[User]:
    """Active agents and admins by name: who can be assigned work or join a team (with their
    teams loaded in the same round trip: the assign form labels each agent with them)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(("agent", "admin")), User.active)
            .order_by(User.name)
            .options(selectinload(User.teams))
        )
    )


@dataclass
class UserPage:
    """One page of the admin's user list."""

    users: list[User]
    page: int
    has_more: bool


def find_users(
    q: str = "",
    role: str | None = None,
    active: bool | None = None,
    page: int = 1,
    size: int = 50,
) -> UserPage:
    """Search people by name or email, optionally by role and active flag, by name."""
    query = select(User)
    for word in (q or "").split()[:5]:
        query = query.where(
            or_(
                User.name.icontains(word, autoescape=True),
                User.email.icontains(word, autoescape=True),
            )
        )
    if role in ROLES:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active == active)
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            query.order_by(User.name, User.id).offset((page - 1) * size).limit(size + 1)
        )
    )
    return UserPage(users=rows[:size], page=page, has_more=len(rows) > size)
