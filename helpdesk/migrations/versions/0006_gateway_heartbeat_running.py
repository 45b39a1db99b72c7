"""gateway heartbeats: when a long-running gateway last reported (a one-off pass does not)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gateway_heartbeats") as batch_op:
        batch_op.add_column(sa.Column("running_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("gateway_heartbeats") as batch_op:
        batch_op.drop_column("running_at")
