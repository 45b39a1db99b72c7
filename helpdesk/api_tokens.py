"""The service layer for personal access tokens: how a program acts as a person through the
REST API. The web pages, the `helpdesk token` command and the API's Bearer check all come
here; nothing else writes an ApiToken.

A token is `hd_` and 32 random bytes (URL-safe base64), so it is long enough that a plain
SHA-256 is a safe way to keep it: only that hash and the first characters (the prefix, to
tell tokens apart in lists) are stored, and the token itself is handed back once, when it is
made. Tokens are revoked, never deleted, so the person and the admins can still see what a
token was and when it was last used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from helpdesk.core.audit import record
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.validation import existing, typed_text
from helpdesk.extensions import db
from helpdesk.models import User, utcnow
from helpdesk.models.api import TOKEN_SCOPES, ApiToken

TOKEN_START = "hd_"
# `hd_` and a few random characters: enough to tell one's tokens apart, far too few to guess
# the rest from (the column holds 16).
PREFIX_LENGTH = 10
NAME_MAX = 80
DEFAULT_NAME = "API token"
# A token is hd_ + 43 characters; anything much longer is not one, and is not even hashed.
PRESENTED_MAX = 200
# last_used_at is written at most this often, so a busy script does not write on every call.
LAST_USED_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    """What is stored for a token: the SHA-256 of the whole string, as hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked_name(name: str | None) -> str:
    text = typed_text(name) or DEFAULT_NAME
    if len(text) > NAME_MAX:
        raise InvalidInput(f"A token's name can be at most {NAME_MAX} characters long.")
    return text


def _checked_scope(scope: str | None) -> str:
    if scope not in TOKEN_SCOPES:
        raise InvalidInput(f"A token's scope must be one of {', '.join(TOKEN_SCOPES)}.")
    return scope


@unit_of_work
def create(owner: User, actor: User, name: str | None, scope: str) -> tuple[ApiToken, str]:
    """Make a token for `owner`, asked for by `actor` (the person themself, or an admin for
    anyone); return it with the token string, which is not kept and cannot be shown again."""
    if actor.id != owner.id and not actor.is_admin:
        raise NotAllowed("You can only create tokens for yourself.")
    return _issue(owner, actor, name, scope)


@unit_of_work
def create_from_command_line(owner: User, name: str | None, scope: str) -> tuple[ApiToken, str]:
    """Make a token for `owner` from the `helpdesk token create` command, which whoever runs
    the server may use and which acts as no one (the audit trail shows no actor)."""
    return _issue(owner, None, name, scope)


def _issue(owner: User, actor: User | None, name: str | None, scope: str) -> tuple[ApiToken, str]:
    checked_name, checked_scope = _checked_name(name), _checked_scope(scope)
    if not owner.active:
        raise InvalidInput(f"{owner.email} is deactivated: a token of theirs would not work.")
    token = TOKEN_START + secrets.token_urlsafe(32)
    row = ApiToken(
        user=owner,
        name=checked_name,
        scope=checked_scope,
        prefix=token[:PREFIX_LENGTH],
        token_hash=_digest(token),
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    _audit(row, actor, "token_created")
    commit()
    return row, token


def _audit(row: ApiToken, actor: User | None, action: str) -> None:
    """Note a token's creation or revocation on its owner's trail, never the token itself."""
    record(
        "user",
        row.user_id,
        actor,
        action,
        token_id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=row.scope,
    )


def authenticate(presented: str, now: datetime | None = None) -> ApiToken | None:
    """The working token a request presented, or None: unknown, revoked, or its person
    deactivated all answer None alike. Notes the time of use, at most once a minute.

    The lookup goes by the hash's unique index; the hash found is then compared in constant
    time all the same, so no comparison of secrets leaks timing. The token is never logged.
    """
    if not presented or len(presented) > PRESENTED_MAX or not presented.startswith(TOKEN_START):
        return None
    digest = _digest(presented)
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest) or not row.is_active:
        return None
    _note_use(row, now or utcnow())
    return row


@unit_of_work
def _note_use(row: ApiToken, now: datetime) -> None:
    """Stamp last_used_at when the last stamp is a minute old or more (not on every call:
    a script polling every second would otherwise write every second)."""
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        row.last_used_at = now
        commit()


@unit_of_work
def revoke(token_id: int, actor: User) -> ApiToken:
    """Revoke a token: its owner or an admin may. Revoking a revoked token changes nothing
    (a second click, two admins at once), and is not audited twice."""
    row = _token(token_id)
    if actor.id != row.user_id and not actor.is_admin:
        raise NotAllowed("You can only revoke your own tokens.")
    return _revoke(row, actor)


@unit_of_work
def revoke_from_command_line(token_id: int) -> ApiToken:
    """Revoke a token from the `helpdesk token revoke` command (acting as no one)."""
    return _revoke(_token(token_id), None)


def _token(token_id: int) -> ApiToken:
    row = existing(ApiToken, token_id, "token")
    if row is None:  # only for a None id, which callers never pass
        raise NotFound("Unknown token.")
    return row


def _revoke(row: ApiToken, actor: User | None) -> ApiToken:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        _audit(row, actor, "token_revoked")
        commit()
    return row


def tokens_of(user: User) -> list[ApiToken]:
    """A person's tokens, newest first, the revoked ones too (shown as revoked)."""
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))
