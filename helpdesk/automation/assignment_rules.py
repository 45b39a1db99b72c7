"""Assignment rules: a new (or reclassified, still unassigned) incident goes to the team of
the first rule, by position, that matches its category and/or service, and within the team
to nobody (the team's queue), the next agent in turn, or the agent with the fewest open
incidents, as the team says (Team.assign_within). Agents marked away, deactivated
accounts and members who are not agents get nothing; with nobody eligible the incident
waits in the team's queue.

Intake pays for this on every incident, so an incident with neither category nor service
costs no query and one with either costs one `select ... limit 1` when no rule matches;
nothing is cached across requests (an admin's change applies to the next incident).

Round-robin's turn (Team.last_assigned_agent_id) is read and moved under the team's row
lock (FOR UPDATE on PostgreSQL; SQLite's intake already holds its one write lock), so two
processes opening incidents at once never give the same turn twice; least-open counts
under the same lock, so they do not both pick the agent who was least busy before either.

The admin's changes (create, update, delete, move) are service functions here too: they
validate, raise a DomainError whose message is for the admin, and commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.assignment import hand_to
from helpdesk.incidents.events import IncidentOpened, Reclassified
from helpdesk.models import AssignmentRule, Category, Incident, Service, Team, User
from helpdesk.models.user import team_members

AGENT_ROLES = ("agent", "admin")
UP, DOWN = "up", "down"


def subscribe_to_events() -> None:
    """Apply the rules to every new incident, and to a reclassified one nobody has."""
    events.subscribe(IncidentOpened, _on_opened)
    events.subscribe(Reclassified, _on_reclassified)


def _on_opened(event: IncidentOpened) -> None:
    apply_rules(event.incident)


def _on_reclassified(event: Reclassified) -> None:
    incident = event.incident
    if incident.is_open:
        apply_rules(incident)


def apply_rules(incident: Incident) -> AssignmentRule | None:
    """Give an unassigned incident to the first matching rule's team (and maybe an agent),
    recorded as assigned by that rule; return the rule, or None when none applies.
    Callers commit (it runs inside the unit that opened or reclassified the incident)."""
    if incident.assigned_team is not None or incident.assigned_agent is not None:
        return None
    # Read without a flush, as the SLA clock does: the opening unit flushes once, at its end.
    with db.session.no_autoflush:
        service_id, category_id = incident.catalogue_ids()
        rule = matching_rule(category_id, service_id)
        if rule is None:
            return None
        team = rule.team
        agent = pick_agent(team)
    hand_to(incident, None, team, agent, action="assigned", rule=describe(rule))
    return rule


def matching_rule(category_id: int | None, service_id: int | None) -> AssignmentRule | None:
    """The first rule by position whose category and service (where it names them) are the
    incident's; no query at all for an incident with neither."""
    if category_id is None and service_id is None:
        return None
    return db.session.scalars(
        select(AssignmentRule)
        .where(
            _matches(AssignmentRule.category_id, category_id),
            _matches(AssignmentRule.service_id, service_id),
        )
        .order_by(AssignmentRule.position, AssignmentRule.id)
        .limit(1)
    ).first()


def _matches(column: InstrumentedAttribute[int | None], value: int | None) -> ColumnElement[bool]:
    """A rule that names nothing here matches anything; one that names an entry, only it."""
    if value is None:
        return column.is_(None)
    return or_(column.is_(None), column == value)


def pick_agent(team: Team) -> User | None:
    """The agent of `team` the next incident goes to by its assign_within, or None (the
    team's queue); the caller assigns within the same transaction, which holds the lock."""
    if team.assign_within not in ("round_robin", "least_open"):
        return None
    _lock(team)
    if team.assign_within == "least_open":
        return _least_open(team)
    members = list(db.session.scalars(_eligible(team).order_by(User.id)))
    if not members:
        return None
    last = team.last_assigned_agent_id
    agent = next((m for m in members if last is None or m.id > last), members[0])
    team.last_assigned_agent_id = agent.id
    return agent


def _lock(team: Team) -> None:
    """Take the team's row lock and read its turn afresh (another process may have moved it)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(
        select(Team)
        .where(Team.id == team.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _eligible(team: Team) -> Any:
    """The members who may get incidents: active agents (or admins) not marked away."""
    return (
        select(User)
        .join(team_members, team_members.c.user_id == User.id)
        .where(
            team_members.c.team_id == team.id,
            User.role.in_(AGENT_ROLES),
            User.active.is_(True),
            User.away.is_(False),
        )
    )


def _least_open(team: Team) -> User | None:
    """The eligible member with the fewest open incidents assigned (ties: the lowest id)."""
    open_work = and_(
        Incident.assigned_agent_id == User.id, Incident.status.in_(lifecycle.OPEN_STATUSES)
    )
    return db.session.scalars(
        _eligible(team)
        .outerjoin(Incident, open_work)
        .group_by(User.id)
        .order_by(func.count(Incident.id), User.id)
        .limit(1)
    ).first()


def describe(rule: AssignmentRule) -> str:
    """What the rule matches, in words the audit trail keeps (it outlives the rule)."""
    parts = []
    if rule.category is not None:
        parts.append(f"category {rule.category.name}")
    if rule.service is not None:
        parts.append(f"service {rule.service.name}")
    return " and ".join(parts)


# The admin's side: the rules in order, and changes to them.


def rules() -> list[AssignmentRule]:
    """Every rule in the order they are tried, with what they name loaded."""
    return list(
        db.session.scalars(
            select(AssignmentRule)
            .options(
                joinedload(AssignmentRule.category),
                joinedload(AssignmentRule.service),
                joinedload(AssignmentRule.team),
            )
            .order_by(AssignmentRule.position, AssignmentRule.id)
        )
    )


def _require_admin(actor: User) -> None:
    """Rules are for admins only (views check too; this keeps scripts honest)."""
    if not actor.is_admin:
        raise NotAllowed("Only admins can change assignment rules.")


def rule_by_id(rule_id: int) -> AssignmentRule:
    """Load a rule or raise NotFound."""
    found = check.existing(AssignmentRule, rule_id, "assignment rule")
    if found is None:
        raise NotFound("Unknown assignment rule.")
    return found


def _fill(
    rule: AssignmentRule, team_id: int | None, category_id: int | None, service_id: int | None
) -> None:
    """Check what the rule names and set it: a team, and a category or a service or both,
    matching no other rule exactly (the later one would never be used)."""
    if team_id is None:
        raise InvalidInput("Choose the team the rule gives incidents to.")
    if category_id is None and service_id is None:
        raise InvalidInput("Choose a category, a service or both for the rule to match.")
    rule.team = check.existing(Team, team_id, "team")  # type: ignore[assignment]
    rule.category = check.existing(Category, category_id, "category")
    rule.service = check.existing(Service, service_id, "service")
    clash = db.session.scalars(
        select(AssignmentRule).where(
            AssignmentRule.id != (rule.id or 0),
            AssignmentRule.category_id.is_(None)
            if category_id is None
            else AssignmentRule.category_id == category_id,
            AssignmentRule.service_id.is_(None)
            if service_id is None
            else AssignmentRule.service_id == service_id,
        )
    ).first()
    if clash is not None:
        raise InvalidInput(
            f"There is already a rule for {describe(clash)} (to {clash.team.name}); "
            "change that one instead."
        )


@unit_of_work
def create_rule(
    actor: User, team_id: int | None, category_id: int | None, service_id: int | None
) -> AssignmentRule:
    """Add a rule after the existing ones (tried last)."""
    _require_admin(actor)
    rule = AssignmentRule()
    with db.session.no_autoflush:
        _fill(rule, team_id, category_id, service_id)
    last = db.session.scalar(select(func.max(AssignmentRule.position)))
    rule.position = (last + 1) if last is not None else 0
    db.session.add(rule)
    commit()
    return rule


@unit_of_work
def update_rule(
    actor: User,
    rule_id: int,
    team_id: int | None,
    category_id: int | None,
    service_id: int | None,
) -> AssignmentRule:
    """Change what a rule matches and where it sends incidents; its place stays."""
    _require_admin(actor)
    rule = rule_by_id(rule_id)
    with db.session.no_autoflush:
        _fill(rule, team_id, category_id, service_id)
    commit()
    return rule


@unit_of_work
def delete_rule(actor: User, rule_id: int) -> None:
    """Remove a rule; incidents it assigned keep their team."""
    _require_admin(actor)
    db.session.delete(rule_by_id(rule_id))
    db.session.flush()
    _renumber(rules())
    commit()


@unit_of_work
def move_rule(actor: User, rule_id: int, direction: str) -> None:
    """Try a rule one place earlier ("up") or later ("down"); at either end, nothing moves."""
    _require_admin(actor)
    if direction not in (UP, DOWN):
        raise InvalidInput("Move a rule up or down.")
    ordered = rules()
    rule = rule_by_id(rule_id)
    index = ordered.index(rule)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(ordered)
    commit()


def _renumber(ordered: list[AssignmentRule]) -> None:
    """Positions 0, 1, 2 ... in the given order (no gaps or ties for the next move)."""
    for position, rule in enumerate(ordered):
        rule.position = position
