"""Assignment rules: which team a new incident goes to, by its category and/or service."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.catalog import Category, Service
from helpdesk.models.user import Team


class AssignmentRule(Model):
    """Incidents of this category and/or service go to `team` (which may then pick one of
    its agents, Team.assign_within). The first matching rule by `position` wins; a rule
    naming both a category and a service matches only incidents that have both."""

    __tablename__ = "assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))

    category: Mapped[Category | None] = relationship()
    service: Mapped[Service | None] = relationship()
    team: Mapped[Team] = relationship()

    __table_args__ = (
        CheckConstraint(
            "category_id IS NOT NULL OR service_id IS NOT NULL", name="names_a_category_or_service"
        ),
    )

    def __repr__(self) -> str:
        return f"<AssignmentRule {self.position} -> team {self.team_id}>"
