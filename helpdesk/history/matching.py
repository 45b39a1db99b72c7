"""Matching the people, teams, categories and services an imported line names to this
helpdesk's: people by email (case aside, as accounts.find_by_email), the others by name (case
aside, as the directory keeps them unique); the missing ones are created, and counted."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.history.format_one import Person
from helpdesk.models import Category, Service, Team, User
from helpdesk.sla_policies.choice import find_policy

Named = TypeVar("Named", Team, Category, Service)


class Matcher:
    """Finds or creates, once per run, what the lines name; remembers what it created."""

    def __init__(self) -> None:
        """Start with nothing looked up."""
        self.people: dict[str, User] = {}
        self.named: dict[tuple[type, str], Team | Category | Service] = {}
        self.policies: dict[tuple[int | None, int | None], int | None] = {}
        self.people_created = 0
        self.entries_created = 0
        self._settled = (0, 0)

    def settle(self) -> None:
        """Note that what was made so far is committed."""
        self._settled = (self.people_created, self.entries_created)

    def forget(self) -> None:
        """Forget what was looked up and made since the last commit, which rolled back."""
        self.people.clear()
        self.named.clear()
        self.policies.clear()
        self.people_created, self.entries_created = self._settled

    def person(self, who: Person | None) -> User | None:
        """The account with this email, or a new end user (no password) named as in the file."""
        if who is None:
            return None
        user = self.people.get(who.email)
        if user is None:
            user = accounts.find_by_email(who.email)
            if user is None:
                user = accounts.ensure_user_for_email(who.email, who.name)
                self.people_created += 1
            self.people[who.email] = user
        return user

    def entry(self, model: type[Named], name: str | None) -> Named | None:
        """The team, category or service called `name`, created when there is none."""
        if name is None:
            return None
        key = (model, name.lower())
        if key not in self.named:
            self.named[key] = self._find(model, name) or self._create(model, name)
        found = self.named[key]
        assert isinstance(found, model)
        return found

    def _find(self, model: type[Named], name: str) -> Named | None:
        """The row called `name`, case aside."""
        return db.session.scalars(
            select(model).where(func.lower(model.name) == name.lower())
        ).first()

    def _create(self, model: type[Named], name: str) -> Named:
        """A new row called `name`, flushed so that its id is known."""
        row = model(name=name)
        db.session.add(row)
        db.session.flush()
        self.entries_created += 1
        return row

    def policy_id(self, service: Service | None, category: Category | None) -> int | None:
        """The SLA policy an incident with this service and category falls under, if any."""
        key = (service.id if service else None, category.id if category else None)
        if key not in self.policies:
            policy = find_policy(*key)
            self.policies[key] = policy.id if policy else None
        return self.policies[key]
