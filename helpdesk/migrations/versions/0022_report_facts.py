"""the reports' facts: each incident's measures and open spans, and the daily summary of
them in the reporting zone (filled by the session on every commit, and for incidents from
before this migration by `helpdesk reports rebuild --missing`, which `helpdesk init` runs);
and the report role of agents

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 03:04:20

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kpi_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Integer(), nullable=False),
        sa.Column("acknowledged", sa.Integer(), nullable=False),
        sa.Column("mtta_ms", sa.BigInteger(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("first_contact", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("mttr_ms", sa.BigInteger(), nullable=False),
        sa.Column("mttr_sla_counted", sa.Integer(), nullable=False),
        sa.Column("mttr_sla_ms", sa.BigInteger(), nullable=False),
        sa.Column("response_met", sa.Integer(), nullable=False),
        sa.Column("response_breached", sa.Integer(), nullable=False),
        sa.Column("resolution_met", sa.Integer(), nullable=False),
        sa.Column("resolution_breached", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("spans_started", sa.Integer(), nullable=False),
        sa.Column("spans_ended", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "team_id",
            "category_id",
            "service_id",
            "priority",
            "channel",
            "agent_id",
            name=op.f("pk_kpi_days"),
        ),
    )
    with op.batch_alter_table("kpi_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kpi_days_level",
            ["team_id", "category_id", "service_id", "channel", "agent_id", "day"],
            unique=False,
        )

    op.create_table(
        "report_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state")),
    )
    op.create_table(
        "incident_facts",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("mtta_seconds", sa.Double(), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("mttr_seconds", sa.Double(), nullable=True),
        sa.Column("mttr_sla_seconds", sa.Double(), nullable=True),
        sa.Column("first_contact", sa.Boolean(), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column("response_met", sa.Boolean(), nullable=True),
        sa.Column("response_judged_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_met", sa.Boolean(), nullable=True),
        sa.Column("resolution_judged_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_facts_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_facts")),
    )
    with op.batch_alter_table("incident_facts", schema=None) as batch_op:
        batch_op.create_index("ix_incident_facts_closed", ["closed_at", "rating"], unique=False)
        batch_op.create_index(
            "ix_incident_facts_failures",
            ["priority", "opened_at", "service_id", "resolved_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_mtta",
            [
                "mtta_seconds",
                "opened_at",
                "priority",
                "team_id",
                "category_id",
                "service_id",
                "channel",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_mttr",
            [
                "mttr_seconds",
                "resolved_at",
                "priority",
                "team_id",
                "category_id",
                "service_id",
                "channel",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_mttr_sla",
            [
                "mttr_sla_seconds",
                "resolved_at",
                "priority",
                "team_id",
                "category_id",
                "service_id",
                "channel",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_opened",
            [
                "opened_at",
                "escalated",
                "priority",
                "team_id",
                "category_id",
                "service_id",
                "channel",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_priority_mttr",
            [
                "priority",
                "mttr_seconds",
                "resolved_at",
                "team_id",
                "category_id",
                "service_id",
                "channel",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_resolution", ["resolution_judged_at", "resolution_met"], unique=False
        )
        batch_op.create_index(
            "ix_incident_facts_resolved",
            [
                "resolved_at",
                "priority",
                "team_id",
                "category_id",
                "service_id",
                "channel",
                "agent_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_incident_facts_response", ["response_judged_at", "response_met"], unique=False
        )

    op.create_table(
        "incident_open_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_open_spans_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_open_spans")),
    )
    with op.batch_alter_table("incident_open_spans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_open_spans_ended", ["ended_at", "started_at", "incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_open_spans_incident_id"), ["incident_id"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reports", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reports")

    with op.batch_alter_table("incident_open_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_open_spans_incident_id"))
        batch_op.drop_index("ix_incident_open_spans_ended")

    op.drop_table("incident_open_spans")
    with op.batch_alter_table("incident_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_facts_response")
        batch_op.drop_index("ix_incident_facts_resolved")
        batch_op.drop_index("ix_incident_facts_resolution")
        batch_op.drop_index("ix_incident_facts_priority_mttr")
        batch_op.drop_index("ix_incident_facts_opened")
        batch_op.drop_index("ix_incident_facts_mttr_sla")
        batch_op.drop_index("ix_incident_facts_mttr")
        batch_op.drop_index("ix_incident_facts_mtta")
        batch_op.drop_index("ix_incident_facts_failures")
        batch_op.drop_index("ix_incident_facts_closed")

    op.drop_table("incident_facts")
    op.drop_table("report_state")
    with op.batch_alter_table("kpi_days", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_days_level")

    op.drop_table("kpi_days")
