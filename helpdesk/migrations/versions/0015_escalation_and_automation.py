"""escalation and automation: team leads and escalation teams, assignment rules, agents
marked away, each person's time zone, when an incident's status last moved and whether its
awaiting-user reminder went out, the policy's automatic escalation, and console notices

Existing incidents count their status from their last update (the closest record there
is); existing teams keep incidents in their queue (assign within: nobody); existing
policies never escalate by themselves.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:00:00

"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


@contextmanager
def altered(table: str) -> Iterator[BatchOperations]:
    """Alter `table`; SQLite rebuilds it, and its reflection cannot read sla_policies' scope
    index on expressions (which need not be read: it stays as it is)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table(table, schema=None) as batch_op:
            yield batch_op


def upgrade():
    with altered("users") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("away", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with altered("users") as batch_op:
        batch_op.alter_column("away", server_default=None)
    with altered("teams") as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalation_team_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "assign_within", sa.String(length=12), nullable=False, server_default="nobody"
            )
        )
        batch_op.add_column(sa.Column("last_assigned_agent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_teams_lead_id_users"), "users", ["lead_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_teams_escalation_team_id_teams"), "teams", ["escalation_team_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_teams_last_assigned_agent_id_users"),
            "users",
            ["last_assigned_agent_id"],
            ["id"],
        )
    with altered("teams") as batch_op:
        batch_op.alter_column("assign_within", server_default=None)
    # Added in place: rebuilding sla_policies on SQLite would lose its scope index.
    op.add_column(
        "sla_policies",
        sa.Column("escalate_on", sa.String(length=10), nullable=False, server_default="never"),
    )
    with altered("incidents") as batch_op:
        batch_op.add_column(sa.Column("status_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
    incidents = sa.table(
        "incidents", sa.column("status_changed_at", sa.DateTime()), sa.column("updated_at")
    )
    op.execute(sa.update(incidents).values(status_changed_at=incidents.c.updated_at))
    with altered("incidents") as batch_op:
        batch_op.alter_column("status_changed_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(
            "ix_incidents_status_changed", ["status", "status_changed_at", "id"], unique=False
        )
    op.create_table(
        "assignment_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category_id IS NOT NULL OR service_id IS NOT NULL",
            name=op.f("ck_assignment_rules_names_a_category_or_service"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_assignment_rules_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_assignment_rules_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_assignment_rules_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_rules")),
    )
    op.create_table(
        "agent_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_agent_notices_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agent_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_notices")),
    )
    op.create_index(
        "ix_agent_notices_user_read", "agent_notices", ["user_id", "read_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_agent_notices_user_read", table_name="agent_notices")
    op.drop_table("agent_notices")
    op.drop_table("assignment_rules")
    with altered("incidents") as batch_op:
        batch_op.drop_index("ix_incidents_status_changed")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("status_changed_at")
    op.drop_column("sla_policies", "escalate_on")
    with altered("teams") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_teams_last_assigned_agent_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_teams_escalation_team_id_teams"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_teams_lead_id_users"), type_="foreignkey")
        batch_op.drop_column("last_assigned_agent_id")
        batch_op.drop_column("assign_within")
        batch_op.drop_column("escalation_team_id")
        batch_op.drop_column("lead_id")
    with altered("users") as batch_op:
        batch_op.drop_column("away")
        batch_op.drop_column("timezone")
