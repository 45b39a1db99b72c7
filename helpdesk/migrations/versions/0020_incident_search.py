"""incident search: the index of each incident's words (subject, description, replies and
notes, requester), an FTS5 table over it on SQLite, a weighted tsvector with a GIN index on
PostgreSQL; existing incidents are indexed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

FIELDS = "subject, description, messages, people"
NEW = "new.subject, new.description, new.messages, new.people"
OLD = "old.subject, old.description, old.messages, old.people"
FORGET = (
    f"INSERT INTO incident_search_fts (incident_search_fts, rowid, {FIELDS}) "
    f"VALUES ('delete', old.incident_id, {OLD});"
)
LEARN = f"INSERT INTO incident_search_fts (rowid, {FIELDS}) VALUES (new.incident_id, {NEW});"
SQLITE = [
    f"CREATE VIRTUAL TABLE incident_search_fts USING fts5({FIELDS}, "
    "content='incident_search', content_rowid='incident_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER incident_search_ai AFTER INSERT ON incident_search BEGIN {LEARN} END",
    f"CREATE TRIGGER incident_search_ad AFTER DELETE ON incident_search BEGIN {FORGET} END",
    f"CREATE TRIGGER incident_search_au AFTER UPDATE ON incident_search BEGIN {FORGET} {LEARN} END",
]
# Punctuation PostgreSQL's parser would keep inside one token (addresses, hosts, paths).
SPLIT = "translate(coalesce({}, ''), '@./:_+~=#\\<>&;', '              ')"
DOCUMENT = " || ".join(
    f"setweight(to_tsvector('simple'::regconfig, {SPLIT.format(field)}), '{weight}')"
    for field, weight in (
        ("subject", "A"),
        ("description", "B"),
        ("messages", "C"),
        ("people", "D"),
    )
)
POSTGRESQL = [
    "ALTER TABLE incident_search ADD COLUMN document tsvector "
    f"GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "CREATE INDEX ix_incident_search_document ON incident_search USING gin (document)",
]
# Replies and notes, at most 200,000 characters of them per incident.
BACKFILL = """
INSERT INTO incident_search (incident_id, subject, description, messages, people)
SELECT incidents.id, incidents.subject, incidents.description,
       substr(coalesce((SELECT {aggregate} FROM messages
                        WHERE messages.incident_id = incidents.id
                          AND messages.kind IN ('reply', 'note')), ''), 1, 200000),
       users.name || ' ' || users.email
FROM incidents JOIN users ON users.id = incidents.requester_id
"""


def upgrade():
    op.create_table(
        "incident_search",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("messages", sa.Text(), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_search_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_search")),
    )
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    # Driver-level: the DDL's colons are not bind parameters.
    for statement in POSTGRESQL if postgresql else SQLITE:
        connection.exec_driver_sql(statement)
    aggregate = "string_agg(body, E'\\n')" if postgresql else "group_concat(body, char(10))"
    op.execute(BACKFILL.format(aggregate=aggregate))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE incident_search_fts")
    op.drop_table("incident_search")
