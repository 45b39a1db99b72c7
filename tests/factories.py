"""gen_* factories for test data: each makes one valid object with overridable fields."""

from __future__ import annotations

import itertools

from helpdesk import accounts, incidents
from helpdesk.extensions import db
from helpdesk.models import Category, Incident, Service, Team, User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def gen_user(
    role: str = "user",
    name: str | None = None,
    email: str | None = None,
    password: str | None = PASSWORD,
) -> User:
    """Create an account with a known password (or none, like a first-contact emailer)."""
    number = next(_counter)
    return accounts.create_user(
        email or f"{role}{number}@example.org", name or f"{role.title()} {number}", role, password
    )


def gen_team(
    name: str | None = None, members: list[User] | None = None, service_desk: bool = False
) -> Team:
    """Create a team with the given members."""
    team = Team(name=name or f"Team {next(_counter)}", is_service_desk=service_desk)
    team.members.extend(members or [])
    db.session.add(team)
    db.session.commit()
    return team


def gen_category(name: str | None = None, active: bool = True) -> Category:
    """Create an incident category."""
    category = Category(name=name or f"Category {next(_counter)}", active=active)
    db.session.add(category)
    db.session.commit()
    return category


def gen_service(name: str | None = None, active: bool = True) -> Service:
    """Create an affected service."""
    service = Service(name=name or f"Service {next(_counter)}", active=active)
    db.session.add(service)
    db.session.commit()
    return service


def gen_incident(requester: User | None = None, **fields: object) -> Incident:
    """Open an incident through the service layer, as the portal would."""
    report = incidents.IncidentReport(
        subject=str(fields.pop("subject", f"Printer jam {next(_counter)}")),
        description=str(fields.pop("description", "The printer on floor 2 shows error E13.")),
        **fields,  # type: ignore[arg-type]
    )
    return incidents.open_incident(requester or gen_user(), report)
