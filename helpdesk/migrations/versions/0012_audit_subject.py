"""an audit event's subject is any record (its type and id), not only an incident, so
problems, changes and reviews can share the one trail

Every event so far is about an incident: it keeps that incident as its subject. Incidents
are never deleted, so the foreign key's cascade that goes with incident_id is not missed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
    op.execute("UPDATE audit_events SET subject_type = 'incident', subject_id = incident_id")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("subject_type", existing_type=sa.String(length=30), nullable=False)
        batch_op.alter_column("subject_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_audit_events_incident")
        batch_op.drop_constraint("fk_audit_events_incident_id_incidents", type_="foreignkey")
        batch_op.drop_column("incident_id")
        batch_op.create_index(
            "ix_audit_events_subject", ["subject_type", "subject_id", "id"], unique=False
        )


def downgrade():
    # An event about anything but an incident has no place in the older schema.
    op.execute("DELETE FROM audit_events WHERE subject_type <> 'incident'")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
    op.execute("UPDATE audit_events SET incident_id = subject_id")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("incident_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_audit_events_incident_id_incidents",
            "incidents",
            ["incident_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_index("ix_audit_events_subject")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_type")
        batch_op.create_index("ix_audit_events_incident", ["incident_id", "id"], unique=False)
