"""The service layer for people: registration, accounts created from email, password links,
sign-ins and role changes. Like helpdesk.incidents, views and commands write users only
through here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.addresses import InvalidAddress, canonical, normalise_address
from helpdesk.core import audit, events
from helpdesk.core.errors import InvalidInput, NotFound
from helpdesk.core.settings import settings
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.urls import external_url
from helpdesk.core.validation import typed_text
from helpdesk.core.zones import time_zones
from helpdesk.extensions import db
from helpdesk.models import ROLES, User, utcnow
from helpdesk.models.user import UserSession, hash_method

PASSWORD_MIN = 8
TOKEN_SALT = "helpdesk.password-link"
REMEMBER_DEFAULT = timedelta(days=365)  # Flask-Login's default REMEMBER_COOKIE_DURATION
# The audit trail's name for a person's account (report role changes).
USER = "user"


def find_by_email(email: str) -> User | None:
    """Return the user with this address, if any (addresses are stored canonical, so the
    unique index on the column answers)."""
    wanted = canonical(email)
    return db.session.scalars(select(User).where(User.email == wanted)).first()


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short to be worth hashing."""
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput(f"The password must be at least {PASSWORD_MIN} characters long.")


@unit_of_work
def create_user(email: str, name: str, role: str = "user", password: str | None = None) -> User:
    """Create an account; without a password the person sets one through an emailed link."""
    address = _checked_address(email)
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    if find_by_email(address) is not None:
        raise InvalidInput(f"An account for {address} already exists.")
    if password is not None:
        check_password_rules(password)
    user = _add_account(address, name, role, password)
    commit()
    return user


def _checked_address(email: str) -> str:
    """The canonical form of an address, or InvalidInput saying what is wrong with it."""
    try:
        return normalise_address(email)
    except InvalidAddress as error:
        raise InvalidInput(str(error)) from error


def _add_account(address: str, name: str, role: str, password: str | None = None) -> User:
    """Stage a checked new account (a canonical address nobody has yet)."""
    user = User(email=address, name=typed_text(name) or address.split("@")[0], role=role)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    return user


@unit_of_work
def register(email: str, name: str) -> None:
    """Self-service sign-up for end users, answered the same whether or not the address has
    an account: the owner of the address gets an email either way, and nobody else learns
    anything.

    A new address gets an account without a password and a link to choose one, so nobody
    can claim an address they cannot read (the gateway would file that person's mail under
    a stranger's password). An existing account is never taken over: its owner gets a link
    too, saying the account exists; a deactivated one gets nothing, as with 'Forgot your
    password?'.
    """
    user = find_by_email(email) or create_user(email, name, "user")
    if user.active:
        send_password_link(user, registering=True)
    commit()


@unit_of_work
def ensure_user_for_email(email: str, name: str = "") -> User:
    """Return the account for a mail sender, creating a password-less one on first contact
    (looked up once: the mail gateway calls this for every mail)."""
    address = _checked_address(email)
    user = find_by_email(address)
    if user is None:
        user = _add_account(address, name, "user")
        commit()
    return user


@dataclass(frozen=True)
class PasswordLinkIssued:
    """A link to set or reset a password was made for someone: it must reach them by mail
    (`registering`: the address was just entered on the registration form)."""

    user: User
    link: str
    registering: bool = False


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def password_token(user: User) -> str:
    """A signed token naming the user and their current nonce; a new password voids it."""
    return _serializer().dumps({"u": user.id, "n": user.token_nonce})


@unit_of_work
def send_password_link(user: User, registering: bool = False) -> None:
    """Email a single-use, expiring link to set or reset the password (`registering`: the
    address was just entered on the registration form)."""
    link = external_url("auth.reset_password", token=password_token(user))
    events.publish(PasswordLinkIssued(user, link, registering))
    commit()


def user_for_token(token: str) -> User:
    """Return the user a valid, unused, unexpired token names, or raise InvalidInput."""
    max_age = settings().links.password_link_max_age_seconds
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidInput("This link has expired. Ask for a new one.") from error
    except BadSignature as error:
        raise InvalidInput("This link is not valid. Ask for a new one.") from error
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("n") != user.token_nonce:
        raise InvalidInput("This link has already been used or is no longer valid.")
    return user


@unit_of_work
def set_password_with_token(token: str, password: str) -> User:
    """Set a new password through a link; the link and every sign-in stop working."""
    user = user_for_token(token)
    _new_password(user, password)
    commit()
    return user


@unit_of_work
def change_password(user: User, current: str, password: str) -> None:
    """A signed-in person's new password; every sign-in, this one included, ends."""
    if not user.check_password(current):
        raise InvalidInput("Your current password is not right.")
    _new_password(user, password)
    commit()


def _new_password(user: User, password: str) -> None:
    """Store a new password and end every sign-in: whoever had a session or remember-me
    cookie, perhaps the person who knew the old password, must sign in again."""
    check_password_rules(password)
    user.set_password(password)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def authenticate(email: str, password: str) -> User | None:
    """The active account that `email` and `password` open, or None.

    The password-hash work is the same whatever the address: an unknown address, or an
    account without a password, is checked against a dummy hash of the configured method,
    so the time a sign-in takes does not tell whether an address has an account.
    """
    user = find_by_email(email)
    stored = user.password_hash if user is not None else None
    matches = check_password_hash(stored or _dummy_hash(hash_method()), password or "")
    if user is None or stored is None or not matches or not user.active:
        return None
    return user


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random secret, made once per method, that no password matches."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def longest_sign_in() -> timedelta:
    """How long a sign-in lasts at most: the longer of the remember-me cookie's lifetime and
    the session cookie's; a copied cookie is refused after that too."""
    remember = current_app.config.get("REMEMBER_COOKIE_DURATION") or REMEMBER_DEFAULT
    if not isinstance(remember, timedelta):
        remember = timedelta(seconds=int(remember))
    return max(remember, current_app.permanent_session_lifetime)


@unit_of_work
def sign_in(user: User) -> str:
    """Start a sign-in and return its key, which Flask-Login carries (User.get_id).

    Also notes the time (shown to admins) and drops the person's sign-ins too old for any
    cookie to carry, so rows of sessions that were never signed out do not pile up.
    """
    now = utcnow()
    too_old = UserSession.created_at < now - longest_sign_in()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, too_old))
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(key=key, user_id=user.id, created_at=now))
    user.last_login_at = now
    commit()
    user.signed_in_as(key)
    return key


def user_for_session(key: str) -> User | None:
    """Flask-Login's user loader: the active person of a live sign-in, or None once it was
    signed out, ended by a new password, or is older than longest_sign_in()."""
    row = db.session.get(UserSession, key)
    if row is None or row.created_at < utcnow() - longest_sign_in():
        return None
    return row.user.signed_in_as(key) if row.user.active else None


@unit_of_work
def sign_out(key: str) -> None:
    """End one sign-in: its session and remember-me cookies stop working, wherever copied."""
    db.session.execute(delete(UserSession).where(UserSession.key == key))
    commit()


@unit_of_work
def update_user(
    user_id: int,
    name: str,
    role: str,
    active: bool,
    actor: User,
    reports: bool | None = None,
) -> User:
    """Admin change of a person's name, role, active flag or (`reports`, None: unchanged)
    report role; admins cannot demote themselves, and only agents read reports."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Unknown user.")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    if user.id == actor.id and (role != "admin" or not active):
        raise InvalidInput("You cannot remove your own admin role or deactivate yourself.")
    if reports and role == "user":
        raise InvalidInput("Only agents can read reports: make them an agent first.")
    user.name = typed_text(name) or user.name
    user.role = role
    user.active = active
    if reports is not None and reports != user.reports:
        user.reports = reports
        action = "report_role_given" if reports else "report_role_withdrawn"
        audit.record(USER, user.id, actor, action, email=user.email)
    commit()
    return user


@unit_of_work
def update_preferences(user: User, timezone: str | None, away: bool) -> User:
    """A person's own settings: the zone every time is shown to them in (None or empty: the
    instance's) and, for agents only, "away", which keeps assignment rules from giving them
    incidents (end users are never assigned any, so it would mean nothing for them)."""
    zone = (timezone or "").strip() or None
    if zone is not None and zone not in time_zones():
        raise InvalidInput(
            f"{zone[:64]!r} is not a time zone this helpdesk knows: choose one from the list, "
            "such as Europe/Berlin or America/New_York."
        )
    if away and not user.is_agent:
        raise InvalidInput("Only agents can mark themselves away.")
    user.timezone = zone
    if user.is_agent:
        user.away = away
    commit()
    return user
