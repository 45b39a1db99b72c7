"""monitoring alerts: every payload received, and the alert groups and alerts that became
incidents

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "received_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_received_alerts_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_received_alerts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_alerts")),
    )
    op.create_index(op.f("ix_received_alerts_received_at"), "received_alerts", ["received_at"])
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("open_key", sa.String(length=64), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alert_groups_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_alert_groups_incident_id")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alert_groups_open_key")),
    )
    op.create_table(
        "monitored_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.String(length=500), nullable=False),
        sa.Column("open_key", sa.String(length=64), nullable=True),
        sa.Column("firing", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alert_groups.id"],
            name=op.f("fk_monitored_alerts_group_id_alert_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitored_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_monitored_alerts_open_key")),
    )
    op.create_index(op.f("ix_monitored_alerts_group_id"), "monitored_alerts", ["group_id"])


def downgrade():
    op.drop_index(op.f("ix_monitored_alerts_group_id"), table_name="monitored_alerts")
    op.drop_table("monitored_alerts")
    op.drop_table("alert_groups")
    op.drop_index(op.f("ix_received_alerts_received_at"), table_name="received_alerts")
    op.drop_table("received_alerts")
