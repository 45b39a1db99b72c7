"""outbound emails hold the intent (template and snapshot); the mail is rendered at drain time

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbound_emails") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("rendered_at", sa.DateTime(), nullable=True))
        batch_op.alter_column("raw", existing_type=sa.LargeBinary(), nullable=True)


def downgrade():
    # A row never rendered has no mail to keep: it cannot survive the older schema.
    op.execute("DELETE FROM outbound_emails WHERE raw IS NULL")
    with op.batch_alter_table("outbound_emails") as batch_op:
        batch_op.alter_column("raw", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("rendered_at")
        batch_op.drop_column("snapshot")
        batch_op.drop_column("kind")
