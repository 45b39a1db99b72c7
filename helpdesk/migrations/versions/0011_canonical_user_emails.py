"""addresses are stored canonical (trimmed, lower case), so looking a person up by address
compares the column itself and the unique index answers

Every account was created through accounts.create_user, which already stored the canonical
form, and lookups compared lower(email), so no two rows can collide here; this makes the
rule hold for any row written by hand before the lookup stopped lowering.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE users SET email = lower(trim(email)) WHERE email <> lower(trim(email))")


def downgrade():
    """Nothing to undo: canonical addresses are valid in the earlier schema too."""
