"""SLA calendars and policies as admins keep them: the specs helpdesk.sla.spec parses, stored
as JSON in the form people write them ("4h", "09:00-12:00"), so what an admin typed is what
an export shows.

A policy applies to incidents of its service and/or category; the default policy names
neither and applies when no other does. The unique scope index holds at most one policy per
(service, category) pair, the pair (none, none) included, so at most one default; NULL is
written as 0 there because a unique index counts NULLs as distinct.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.catalog import Category, Service

ESCALATE_ON = ("never", "warning", "breach")


class SlaCalendar(Model):
    """Working hours in a time zone: {"mon": ["09:00-12:00", "13:00-17:00"], ...}, holidays
    as ISO dates, and optionally a country's (and subdivision's) public holidays."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    holidays: Mapped[list[str]] = mapped_column(JSON)
    country: Mapped[str | None] = mapped_column(String(8))
    subdivision: Mapped[str | None] = mapped_column(String(16))

    def spec(self) -> dict[str, Any]:
        """The calendar as helpdesk.sla.calendar.parse_calendar reads it."""
        return {
            "timezone": self.timezone,
            "hours": self.hours,
            "holidays": self.holidays,
            "country": self.country,
            "subdivision": self.subdivision,
        }

    def __repr__(self) -> str:
        return f"<SlaCalendar {self.name}>"


class SlaPolicy(Model):
    """Targets per priority {"P1": {"response": "15m", "resolution": "4h", "clock": "24x7"},
    ...}, the hold reasons that pause the clock and the warning threshold, on a calendar."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("sla_calendars.id"))
    targets: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON)
    pause_on: Mapped[list[str]] = mapped_column(JSON)
    warn_at: Mapped[float] = mapped_column(Float)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    is_default: Mapped[bool] = mapped_column(default=False)
    # ESCALATE_ON: move an incident to its team's escalation team by itself at the first
    # warning or breach of a target ("never": the owner and the lead are told, no more).
    escalate_on: Mapped[str] = mapped_column(String(10), default="never", server_default="never")

    calendar: Mapped[SlaCalendar] = relationship()
    service: Mapped[Service | None] = relationship()
    category: Mapped[Category | None] = relationship()

    __table_args__ = (
        Index(
            "ix_sla_policies_scope",
            func.coalesce(service_id, 0),
            func.coalesce(category_id, 0),
            unique=True,
        ),
        CheckConstraint(
            "is_default = (service_id IS NULL AND category_id IS NULL)",
            name="default_is_unscoped",
        ),
    )

    def spec(self) -> dict[str, Any]:
        """The policy as helpdesk.sla.spec.parse_policy reads it."""
        return {
            "calendar": self.calendar.spec(),
            "targets": self.targets,
            "pause_on": self.pause_on,
            "warn_at": self.warn_at,
        }

    def __repr__(self) -> str:
        return f"<SlaPolicy {self.name}>"
