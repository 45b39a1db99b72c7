"""The service layer for people: registration, accounts created from email, password links,
and role changes. Like helpdesk.incidents, views and commands write users only through here."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from helpdesk import notify
from helpdesk.extensions import db
from helpdesk.incidents.errors import InvalidInput, NotFound
from helpdesk.incidents.unit import commit, unit_of_work
from helpdesk.incidents.validation import typed_text
from helpdesk.models import ROLES, User, utcnow
from helpdesk.notify.compose import external_url

PASSWORD_MIN = 8
TOKEN_SALT = "helpdesk.password-link"


def normalise_email(email: str) -> str:
    """Addresses are compared case-insensitively and without surrounding space."""
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    """Return the user with this address, if any."""
    wanted = normalise_email(email)
    return db.session.scalars(select(User).where(func.lower(User.email) == wanted)).first()


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short to be worth hashing."""
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput(f"The password must be at least {PASSWORD_MIN} characters long.")


@unit_of_work
def create_user(email: str, name: str, role: str = "user", password: str | None = None) -> User:
    """Create an account; without a password the person sets one through an emailed link."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise InvalidInput("Enter a valid email address.")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    if find_by_email(address) is not None:
        raise InvalidInput(f"An account for {address} already exists.")
    user = User(email=address, name=typed_text(name) or address.split("@")[0], role=role)
    if password is not None:
        check_password_rules(password)
        user.set_password(password)
    db.session.add(user)
    commit()
    return user


def register(email: str, name: str, password: str) -> User:
    """Self-service sign-up for end users.

    Someone whose account was created from an email must prove they own the address, so
    registering it again sends a password link instead of taking the account over. Not a
    unit of its own: the link must be sent (committed) even though registering is refused.
    """
    existing = find_by_email(email)
    if existing is not None:
        if not existing.has_password:
            send_password_link(existing)
        raise InvalidInput(
            "An account with this email already exists. Sign in, or use "
            "'Forgot your password?' to get a link by email."
        )
    check_password_rules(password)
    return create_user(email, name, "user", password)


def ensure_user_for_email(email: str, name: str = "") -> User:
    """Return the account for a mail sender, creating a password-less one on first contact."""
    return find_by_email(email) or create_user(email, name, "user")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def password_token(user: User) -> str:
    """A signed token naming the user and their current nonce; a new password voids it."""
    return _serializer().dumps({"u": user.id, "n": user.token_nonce})


@unit_of_work
def send_password_link(user: User) -> None:
    """Email a single-use, expiring link to set or reset the password."""
    link = external_url("auth.reset_password", token=password_token(user))
    notify.password_link(user, link)
    commit()


def user_for_token(token: str) -> User:
    """Return the user a valid, unused, unexpired token names, or raise InvalidInput."""
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"])
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
    """Set a new password through a link; the link stops working afterwards."""
    user = user_for_token(token)
    check_password_rules(password)
    user.set_password(password)
    commit()
    return user


@unit_of_work
def record_login(user: User) -> None:
    """Remember when someone last signed in (shown to admins)."""
    user.last_login_at = utcnow()
    commit()


@unit_of_work
def update_user(user_id: int, name: str, role: str, active: bool, actor: User) -> User:
    """Admin change of a person's name, role or active flag; admins cannot demote themselves."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Unknown user.")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    if user.id == actor.id and (role != "admin" or not active):
        raise InvalidInput("You cannot remove your own admin role or deactivate yourself.")
    user.name = typed_text(name) or user.name
    user.role = role
    user.active = active
    commit()
    return user
