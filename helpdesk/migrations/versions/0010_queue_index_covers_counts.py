"""the status index of the queues also holds assignment and resolution time, so queue pages
and their tab counts are read from the index alone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:45:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COVERING = [
    "status",
    "last_activity_at",
    "id",
    "assigned_agent_id",
    "assigned_team_id",
    "resolved_at",
]


def upgrade():
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_activity")
        batch_op.create_index("ix_incidents_status_activity", COVERING, unique=False)


def downgrade():
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_activity")
        batch_op.create_index(
            "ix_incidents_status_activity", ["status", "last_activity_at", "id"], unique=False
        )
