"""The demo's people, teams and catalogues, and the one password every demo account shares."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.models import Category, Service, Team, User

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class Person:
    """A demo account: who they are and which team (if any) they work in."""

    email: str
    name: str
    role: str
    team: str | None = None


AGENTS = [
    Person("agent@demo.helpdesk", "Sam Rivera", "agent", "Service Desk"),
    Person("network@demo.helpdesk", "Priya Nair", "agent", "Network"),
    Person("apps@demo.helpdesk", "Tom Becker", "agent", "Applications"),
]
USERS = [
    Person("user@demo.helpdesk", "Jordan Lee", "user"),
    Person("emma.wilson@demo.helpdesk", "Emma Wilson", "user"),
    Person("liam.chen@demo.helpdesk", "Liam Chen", "user"),
    Person("olivia.garcia@demo.helpdesk", "Olivia Garcia", "user"),
    Person("noah.schmidt@demo.helpdesk", "Noah Schmidt", "user"),
]
# Created last: its presence means a complete demo was loaded (see demo_present()).
ADMIN = Person("admin@demo.helpdesk", "Morgan Blake", "admin", "Service Desk")

TEAMS = [
    ("Service Desk", "First line: takes every incident and owns it until it is closed.", True),
    ("Network", "LAN, Wi-Fi, VPN, firewall and internet links.", False),
    ("Applications", "Email, CRM, payroll and file storage.", False),
]
CATEGORIES = [
    "Hardware",
    "Software",
    "Network",
    "Email",
    "Access & accounts",
    "Printing",
    "Telephony",
    "Security",
    "Business applications",
    "File storage",
]
SERVICES = [
    "Email",
    "VPN",
    "Wi-Fi",
    "Internet access",
    "Payroll",
    "CRM",
    "File shares",
    "Printing",
    "Laptop fleet",
    "Intranet",
    "Single sign-on",
    "Telephony",
]
RETIRED_SERVICES = ["Fax gateway"]  # shows how a retired entry looks


@dataclass
class Cast:
    """The created rows, looked up by name while the stories are played."""

    agents: dict[str, User]  # team name -> the team's agent
    users: list[User]
    teams: dict[str, Team]
    categories: dict[str, Category]
    services: dict[str, Service]


def create_cast() -> Cast:
    """Create teams, catalogues, agents and end users (everyone but the admin)."""
    teams = {
        name: Team(name=name, description=text, is_service_desk=desk) for name, text, desk in TEAMS
    }
    categories = {name: Category(name=name) for name in CATEGORIES}
    services = {name: Service(name=name) for name in SERVICES}
    retired = [Service(name=name, active=False) for name in RETIRED_SERVICES]
    db.session.add_all([*teams.values(), *categories.values(), *services.values(), *retired])
    db.session.commit()
    agents = {person.team: _account(person, teams) for person in AGENTS if person.team}
    for name, agent in agents.items():
        teams[name].lead = agent  # SLA warnings and breaches reach them in the console
    db.session.commit()
    users = [_account(person, teams) for person in USERS]
    return Cast(agents, users, teams, categories, services)


def create_admin(cast: Cast) -> User:
    """Create the admin account, the marker of a completely loaded demo."""
    return _account(ADMIN, cast.teams)


def _account(person: Person, teams: dict[str, Team]) -> User:
    """Create one account through the accounts service and put it in its team."""
    user = accounts.create_user(person.email, person.name, person.role, DEMO_PASSWORD)
    if person.team:
        teams[person.team].members.append(user)
        db.session.commit()
    return user


def logins() -> list[Person]:
    """The demo accounts to print for people trying the helpdesk out."""
    return [ADMIN, *AGENTS, *USERS]
