"""each incident keeps its SLA clock: the policy it runs on, each target's warning and breach,
and when the scheduler must look at it next

Existing incidents get the default policy; the open ones are due for a check at once, so
the scheduler's first pass recomputes their clocks from their audit trails.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 10:00:00

"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TIMES = (
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
    "sla_check_at",
)
# The open statuses (helpdesk.lifecycle.OPEN_STATUSES when this was written).
OPEN = ("new", "assigned", "in_progress", "on_hold")


@contextmanager
def incidents_altered() -> Iterator[BatchOperations]:
    """Alter incidents; SQLite rebuilds the table, reflecting sla_policies for the foreign
    key, whose scope index on expressions its reflection cannot read (and need not: it
    stays as it is)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table("incidents", schema=None) as batch_op:
            yield batch_op


def upgrade():
    with incidents_altered() as batch_op:
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        for name in TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_sla_policy_id_sla_policies"),
            "sla_policies",
            ["sla_policy_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_incidents_sla_check_at"), ["sla_check_at"])
    incidents = sa.table(
        "incidents",
        sa.column("sla_policy_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("sla_check_at", sa.DateTime()),
    )
    policies = sa.table("sla_policies", sa.column("id"), sa.column("is_default", sa.Boolean()))
    default = sa.select(policies.c.id).where(policies.c.is_default == sa.true())
    op.execute(sa.update(incidents).values(sla_policy_id=default.scalar_subquery()))
    op.execute(
        sa.update(incidents)
        .where(incidents.c.status.in_(OPEN))
        .values(sla_check_at=datetime.now(UTC).replace(tzinfo=None))
    )


def downgrade():
    with incidents_altered() as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_sla_check_at"))
        batch_op.drop_constraint(
            batch_op.f("fk_incidents_sla_policy_id_sla_policies"), type_="foreignkey"
        )
        for name in reversed(TIMES):
            batch_op.drop_column(name)
        batch_op.drop_column("sla_policy_id")
