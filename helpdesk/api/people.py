"""People through the API, for agents only, as the console's requester picker offers them:
look a person up by address (exact, in the canonical form addresses are stored in) or by
words of their name or address (active people only, as the picker), read one, and create a
requester the directory does not know yet.

A person is sent as id, address, name, role and active flag: what the console shows an
agent, never a password hash, token or sign-in. Creating someone whose address already has
an account answers 200 with that account unchanged: the console's "new requester" does the
same (helpdesk.accounts.ensure_user_for_email files the incident under the known person).
"""

from __future__ import annotations

from flask import url_for
from pydantic import BaseModel, Field
from spectree import Response

from helpdesk import accounts, directory
from helpdesk.addresses import MAX_LENGTH, InvalidAddress, normalise_address
from helpdesk.api.auth import agents_only, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.problems import REFUSALS, Problem, problem
from helpdesk.api.schemas import sent
from helpdesk.bounds import is_id
from helpdesk.core.validation import typed_text
from helpdesk.extensions import db
from helpdesk.models import User

# What only agents do here, as the console's pages say it ("Only agents ...").
AGENTS_WORK = "look people up and create requesters"

NAME_MAX = 120  # the column's length
SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 50


class PersonOut(BaseModel):
    """A person as an agent sees them in the console."""

    id: int
    email: str = Field(description="The address, in canonical (lower-case) form.")
    name: str
    role: str = Field(description="user, agent or admin")
    active: bool = Field(description="False for a deactivated account.")


class People(BaseModel):
    """The people found, by name."""

    items: list[PersonOut]


class PeopleQuery(BaseModel):
    """Look up by `email` (exact, any letter case) or by `q` (`email` wins if both)."""

    email: str | None = Field(
        default=None, max_length=MAX_LENGTH, description="An address: the one person with it."
    )
    q: str | None = Field(
        default=None,
        min_length=SEARCH_MIN_CHARS,
        max_length=200,
        description="Words each found in an active person's name or address.",
    )
    limit: int = Field(default=8, ge=1, le=SEARCH_LIMIT, description="At most this many.")


class NewPerson(BaseModel):
    """A requester to create: the address, and a name (default: the address's local part)."""

    email: str = Field(max_length=MAX_LENGTH)
    name: str = Field(default="", max_length=NAME_MAX)


def person_out(person: User) -> PersonOut:
    """A person as the API sends them."""
    return PersonOut(
        id=person.id, email=person.email, name=person.name, role=person.role, active=person.active
    )


def _found(query: PeopleQuery) -> list[User]:
    """Whom the query names: the one person with the address (InvalidAddress if it is
    none), or the search's matches."""
    if query.email is not None:
        known = accounts.find_by_email(normalise_address(query.email))
        return [known] if known is not None else []
    words = typed_text(query.q)
    if len(words) < SEARCH_MIN_CHARS:
        return []  # as the picker: a letter or two of blanks would match everyone
    return directory.find_users(words, active=True, size=query.limit).users


@bp.get("/people")
@requires("read")
@spec.validate(resp=Response(HTTP_200=People, HTTP_422=Problem, **REFUSALS), tags=["people"])
def people(query: PeopleQuery) -> People | object:
    """Find people by exact address (`email`) or by words of name or address (`q`)."""
    agents_only(AGENTS_WORK)
    if query.email is None and query.q is None:
        return problem(422, "invalid_input", "Send email (an address) or q (words to find).")
    try:
        return People(items=[person_out(person) for person in _found(query)])
    except InvalidAddress as error:
        return problem(422, "invalid_input", str(error))


@bp.get("/people/<int:person_id>")
@requires("read")
@spec.validate(resp=Response(HTTP_200=PersonOut, HTTP_404=Problem, **REFUSALS), tags=["people"])
def person(person_id: int) -> PersonOut | object:
    """One person."""
    agents_only(AGENTS_WORK)
    found = db.session.get(User, person_id) if is_id(person_id) else None
    if found is None:
        return problem(404, "not_found", f"No person {person_id}.")
    return person_out(found)


@bp.post("/people")
@requires("write")
@idempotent
@spec.validate(
    headers=IdempotencyHeaders,
    resp=Response(
        HTTP_200=PersonOut, HTTP_201=PersonOut, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS
    ),
    tags=["people"],
)
def create_person(json: NewPerson) -> object:
    """Create a requester (201, with Location); an address that already has an account
    answers 200 with that person, unchanged, as the console's "new requester" does."""
    agents_only(AGENTS_WORK)
    json = sent(json)
    try:
        address = normalise_address(json.email)
    except InvalidAddress as error:
        return problem(422, "invalid_input", str(error))
    known = accounts.find_by_email(address)
    if known is not None:
        return person_out(known)
    created = accounts.ensure_user_for_email(address, json.name)
    location = url_for("api.person", person_id=created.id)
    return person_out(created), 201, {"Location": location}
