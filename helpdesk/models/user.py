"""People and teams: end users, agents and admins, and the teams agents work in."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.extensions import Model, db
from helpdesk.models.base import utcnow

ROLES = ("user", "agent", "admin")
# How an assignment rule picks an agent within a team: nobody (the team's queue), the next
# agent in turn, or the agent with the fewest open incidents.
ASSIGN_WITHIN = ("nobody", "round_robin", "least_open")

team_members = Table(
    "team_members",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


def new_token_nonce() -> str:
    """Return a fresh nonce; rotating it invalidates every reset link issued before."""
    return secrets.token_hex(8)


def hash_method() -> str:
    """The configured password-hash method (werkzeug's generate_password_hash)."""
    return str(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


class User(UserMixin, Model):
    """Anyone who can sign in. Role decides what they see: user < agent < admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(10), default="user")
    # None for people who first wrote by email and have not set a password yet.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    token_nonce: Mapped[str] = mapped_column(String(32), default=new_token_nonce)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Mail to this address bounced: send nothing until then (agents see why).
    bouncing_until: Mapped[datetime | None]
    bounce_reason: Mapped[str | None] = mapped_column(String(255))
    # The zone this person reads times in (an IANA name); None: the instance's zone.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # An agent marked away gets no incidents from the assignment rules.
    away: Mapped[bool] = mapped_column(default=False)
    # The report role: an agent who may read the reports (admins always may).
    reports: Mapped[bool] = mapped_column(default=False, server_default=false())

    teams: Mapped[list[Team]] = relationship(
        secondary=team_members, back_populates="members", order_by="Team.name"
    )

    @property
    def is_agent(self) -> bool:
        """Agents and admins work incidents."""
        return self.role in ("agent", "admin")

    @property
    def is_admin(self) -> bool:
        """Admins also manage people, teams and catalogues."""
        return self.role == "admin"

    @property
    def reads_reports(self) -> bool:
        """Managers read the reports: admins, and agents given the report role."""
        return self.is_admin or (self.is_agent and self.reports)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions for inactive users.
        return self.active

    @property
    def has_password(self) -> bool:
        """False for accounts created from an email that have never set a password."""
        return self.password_hash is not None

    def set_password(self, password: str) -> None:
        """Hash and store a password, and invalidate outstanding reset links."""
        self.password_hash = generate_password_hash(password, method=hash_method())
        self.token_nonce = new_token_nonce()

    def check_password(self, password: str) -> bool:
        """Tell whether `password` matches; accounts without one never match."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def signed_in_as(self, key: str) -> User:
        """Mark this object as the person of the sign-in `key`; returns self."""
        self.session_key = key
        return self

    def sign_in_key(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie (its id_attribute,
        see extensions.py): the key of a sign-in, a UserSession, never the bare user id, so
        that ending the sign-in ends every copy of both cookies."""
        return self.session_key

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Model):
    """One sign-in. Deleted at logout, and all of a person's at a new password; the user
    loader accepts only keys that still have a row."""

    __tablename__ = "user_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Team(Model):
    """A group of agents that incidents are assigned to (Service Desk, Network, ...)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    # The first-line team keeps ownership of incidents while specialists work them.
    is_service_desk: Mapped[bool] = mapped_column(default=False)
    # Hierarchical escalation tells the lead; functional escalation moves incidents to the
    # next support tier, the escalation team.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalation_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # ASSIGN_WITHIN; round-robin goes on after the agent it gave an incident last.
    assign_within: Mapped[str] = mapped_column(String(12), default="nobody")
    last_assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    members: Mapped[list[User]] = relationship(
        secondary=team_members, back_populates="teams", order_by="User.name"
    )
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    escalation_team: Mapped[Team | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
