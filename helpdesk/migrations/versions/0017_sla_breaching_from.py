"""each incident stores from when its SLA clock is breaching soon, indexed, so the agents'
"Breaching soon" queue and its count read only those incidents

The open incidents with a policy are due for a check at once: the scheduler's first pass
recomputes their clocks, which fills the new column.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00

"""

import warnings
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The open statuses (helpdesk.lifecycle.OPEN_STATUSES when this was written).
OPEN = ("new", "assigned", "in_progress", "on_hold")


def upgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table("incidents", schema=None) as batch_op:
            batch_op.add_column(sa.Column("sla_breaching_from", sa.DateTime(), nullable=True))
            batch_op.create_index(
                batch_op.f("ix_incidents_sla_breaching_from"), ["sla_breaching_from"]
            )
    incidents = sa.table(
        "incidents",
        sa.column("status", sa.String()),
        sa.column("sla_policy_id", sa.Integer()),
        sa.column("sla_check_at", sa.DateTime()),
    )
    op.execute(
        sa.update(incidents)
        .where(incidents.c.status.in_(OPEN), incidents.c.sla_policy_id.is_not(None))
        .values(sla_check_at=datetime.now(UTC).replace(tzinfo=None))
    )


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table("incidents", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_incidents_sla_breaching_from"))
            batch_op.drop_column("sla_breaching_from")
