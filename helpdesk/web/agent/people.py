"""Finding the person an agent means: the picker's search, and reading what was typed.

The picker (static/js/agent.js) asks `people` for matches as the agent types and fills in
the chosen person's address. Without JavaScript the agent types a name or an address and
`match_person` reads it on the server: an address names one person (or someone new), a
name is searched and is taken only when it picks out one person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr

from flask import jsonify, request
from werkzeug.wrappers import Response

from helpdesk import accounts, directory, incidents
from helpdesk.core.validation import typed_text
from helpdesk.incidents.participants import person_label
from helpdesk.models import User
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.roles import agent_required

# The picker starts asking after this many characters; a name of one letter finds everyone.
SEARCH_MIN_CHARS = 2
# As many matches as the picker shows, and as many as a refusal lists.
SEARCH_LIMIT = 8


@dataclass
class PersonMatch:
    """What a typed name or address names: one person, an unknown address, or candidates."""

    typed: str
    person: User | None = None
    unknown_address: str | None = None
    unknown_name: str = ""
    candidates: list[User] = field(default_factory=list)

    def one(self) -> User:
        """The one known person meant, or refuse saying what the agent can do instead."""
        if self.person is not None:
            return self.person
        if not self.typed:
            raise incidents.InvalidInput("Enter a name or an email address.")
        if not self.candidates:
            raise incidents.InvalidInput(
                f"No one matches {self.typed!r}. Enter their email address to add them."
            )
        names = ", ".join(person_label(p) for p in self.candidates)
        raise incidents.InvalidInput(
            f"Several people match {self.typed!r}: {names}. Enter the address of the one you mean."
        )


def search(text: str) -> list[User]:
    """Active people whose name or address contains every word typed, by name."""
    wanted = typed_text(text)
    if len(wanted) < SEARCH_MIN_CHARS:
        return []
    return directory.find_users(wanted, active=True, size=SEARCH_LIMIT).users


def match_person(text: str | None) -> PersonMatch:
    """Read a typed name or address ("Ann Lee", "ann@example.org", "Ann <ann@...>")."""
    typed = typed_text(text)
    if "@" in typed:
        name, address = parseaddr(typed)
        address = address or typed  # not an address at all: the account rules say why
        known = accounts.find_by_email(address)
        if known is not None:
            return PersonMatch(typed, person=known)
        return PersonMatch(typed, unknown_address=address, unknown_name=name)
    found = search(typed)
    exact = [p for p in found if p.name.casefold() == typed.casefold()]
    if len(found) == 1 or len(exact) == 1:
        return PersonMatch(typed, person=(exact or found)[0])
    return PersonMatch(typed, candidates=found)


def person_for(text: str | None) -> User:
    """The person a typed name or address names; an unknown address becomes a new account
    (run it in the same transaction as the change it is for, so a refusal keeps nobody)."""
    match = match_person(text)
    if match.unknown_address is not None:
        return accounts.ensure_user_for_email(match.unknown_address, match.unknown_name)
    return match.one()


@bp.get("/people")
@agent_required
def people() -> Response:
    """Matches for the picker as JSON: name and address of each, by name."""
    found = search(request.args.get("q", ""))
    return jsonify(people=[{"name": p.name, "email": p.email} for p in found])
