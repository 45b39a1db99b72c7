"""The conversation on an incident: messages and their attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.incident import Incident
from helpdesk.models.user import User

REPLY = "reply"  # public: the requester and participants see it
NOTE = "note"  # internal: agents only
EVENT = "event"  # system line in the thread ("assigned to Network")

CHANNELS = ("portal", "email", "agent", "api", "system")


class Message(Model):
    """One entry in an incident's thread."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    # Sanitized HTML of an HTML email (scripts, handlers and remote images removed); the
    # plain-text `body` is what pages show by default.
    body_html: Mapped[str | None] = mapped_column(Text)
    # Email Message-ID header of the mail that carried this message, in or out.
    email_message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Mail from a stranger on the thread, or from an agent's address that the receiving
    # server did not vouch for: kept internal until an agent reviews it; the reason says why.
    needs_review: Mapped[bool] = mapped_column(default=False)
    review_reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Lets a new incident and its first message be written in one flush.
    incident: Mapped[Incident] = relationship()
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id"
    )

    __table_args__ = (
        Index("ix_messages_incident_created", "incident_id", "created_at", "id"),
        # The "Needs review" queue reads only flagged mail: a partial index stays tiny.
        # SQLite uses it only for queries with this very condition (see flagged_mail.py).
        Index(
            "ix_messages_review",
            "incident_id",
            "created_at",
            "needs_review",
            sqlite_where=text("needs_review = 1"),
            postgresql_where=text("needs_review"),
        ),
    )

    @property
    def is_public(self) -> bool:
        """Public replies are what the requester sees."""
        return self.kind == REPLY


class Attachment(Model):
    """A file on a message, stored under the instance folder by content hash."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")
