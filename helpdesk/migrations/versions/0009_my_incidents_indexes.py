"""indexes for "my incidents": requester by status and activity, participants by user

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_requester_activity")
        # The composite index leads with requester_id; PostgreSQL preferred this one and
        # then read the table for each incident's status.
        batch_op.drop_index(batch_op.f("ix_incidents_requester_id"))
        batch_op.create_index(
            "ix_incidents_requester_status_activity",
            ["requester_id", "status", "last_public_activity_at", "id"],
            unique=False,
        )
    with op.batch_alter_table("incident_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_participants_user_id")
        batch_op.create_index(
            "ix_incident_participants_user_incident", ["user_id", "incident_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("incident_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_participants_user_incident")
        batch_op.create_index("ix_incident_participants_user_id", ["user_id"], unique=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_requester_status_activity")
        batch_op.create_index(
            batch_op.f("ix_incidents_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(
            "ix_incidents_requester_activity",
            ["requester_id", "last_public_activity_at", "id"],
            unique=False,
        )
