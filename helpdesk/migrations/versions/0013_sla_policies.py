"""SLA calendars and policies kept in the database, chosen per incident by service and
category, with a default

Seeds the calendar "Office hours" (UTC, Monday to Friday 09:00-17:00) and the default policy
"Standard" with the targets hard-coded in helpdesk/sla/__init__.py until now, so an upgraded
helpdesk keeps the service levels it had. The data is written out here rather than imported,
as a migration must not change when the code does.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

WORKDAY = ["09:00-17:00"]
OFFICE_HOURS: dict[str, object] = {
    "name": "Office hours",
    "timezone": "UTC",
    "hours": {day: WORKDAY for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": [],
    "country": None,
    "subdivision": None,
}
STANDARD: dict[str, object] = {
    "name": "Standard",
    "targets": {
        "P1": {"response": "15m", "resolution": "4h", "clock": "24x7"},
        "P2": {"response": "1h", "resolution": "8h", "clock": "24x7"},
        "P3": {"response": "4h", "resolution": "24h", "clock": "business"},
        "P4": {"response": "8h", "resolution": "40h", "clock": "business"},
        "P5": {"response": "8h", "resolution": "80h", "clock": "business"},
    },
    "pause_on": ["awaiting_user"],
    "warn_at": 0.75,
    "service_id": None,
    "category_id": None,
    "is_default": True,
}


def upgrade():
    calendars = op.create_table(
        "sla_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("subdivision", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_calendars")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_calendars_name")),
    )
    policies = op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("pause_on", sa.JSON(), nullable=False),
        sa.Column("warn_at", sa.Float(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "is_default = (service_id IS NULL AND category_id IS NULL)",
            name=op.f("ck_sla_policies_default_is_unscoped"),
        ),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["sla_calendars.id"],
            name=op.f("fk_sla_policies_calendar_id_sla_calendars"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_sla_policies_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_sla_policies_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_policies_name")),
    )
    op.create_index(
        "ix_sla_policies_scope",
        "sla_policies",
        [sa.text("coalesce(service_id, 0)"), sa.text("coalesce(category_id, 0)")],
        unique=True,
    )
    op.bulk_insert(calendars, [OFFICE_HOURS])
    office_hours = sa.select(calendars.c.id).where(calendars.c.name == OFFICE_HOURS["name"])
    op.execute(
        sa.insert(policies).values({**STANDARD, "calendar_id": office_hours.scalar_subquery()})
    )


def downgrade():
    op.drop_index("ix_sla_policies_scope", table_name="sla_policies")
    op.drop_table("sla_policies")
    op.drop_table("sla_calendars")
