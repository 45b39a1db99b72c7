"""Personal access tokens: how programs (scripts, monitoring, other systems) act as a person
through the REST API. Only a hash of each token is kept; the token itself is shown once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.user import User

# What a token may do: read only, read and write as its person, or post monitoring alerts.
TOKEN_SCOPES = ("read", "write", "alerts")


class ApiToken(Model):
    """One token of one person, with a name they chose and a scope; revoked, never deleted,
    so the person and admins can still see what it was and when it was last used."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(10))
    # The token's first characters, shown in lists so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the token, hex: tokens are long random strings, so a fast hash is safe.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        """A token works until it is revoked (or its person deactivated)."""
        return self.revoked_at is None and self.user.active

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… {self.scope} of user {self.user_id}>"


class IdempotencyKey(Model):
    """A create request sent with an `Idempotency-Key` header, and the answer it got: a
    retry with the same key (from the same person) gets that answer again instead of a
    second incident. Written in the transaction of the create itself, so a create and its
    key are kept or lost together."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the body: the same key with another request is
    # refused rather than answered with the first request's result.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.key!r} of user {self.user_id}>"
