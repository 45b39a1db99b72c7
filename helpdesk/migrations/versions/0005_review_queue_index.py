"""review queue: why a message awaits review, and a partial index on such mail

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("review_reason", sa.String(length=255), nullable=True))
    op.create_index(
        "ix_messages_review",
        "messages",
        ["incident_id", "created_at", "needs_review"],
        unique=False,
        sqlite_where=sa.text("needs_review = 1"),
        postgresql_where=sa.text("needs_review"),
    )


def downgrade():
    op.drop_index("ix_messages_review", table_name="messages")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("review_reason")
