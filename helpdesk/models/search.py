"""The incident search index: a read model holding each incident's words by field (subject,
description, replies and notes, requester), kept current in the flush that changes them.

The table itself is portable; what searches it is per dialect, created with the table (by
`db.create_all()` through DDL events, and by migration 0020):

- SQLite: an FTS5 external-content table over it, kept in step by triggers, so the words
  are stored once (in incident_search) and indexed once (in the FTS5 shadow tables).
- PostgreSQL: a generated tsvector column, weighted per field, with a GIN index.

Both split words on anything but letters and digits, fold case and keep diacritics, so one
query finds the same incidents on both (helpdesk.reads.incident_search compiles it).

The upkeep is a session event, not a subscriber of the services' events: every write path
(console, portal, mail, API, merges) flushes through the session, so none can forget it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    ForeignKey,
    Table,
    Text,
    event,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from helpdesk.extensions import db
from helpdesk.models.incident import Incident
from helpdesk.models.message import NOTE, REPLY, Message
from helpdesk.models.user import User

# The indexed fields, in FTS5 column order (bm25 weights and snippets count on it).
FIELDS = ("subject", "description", "messages", "people")
# What the replies and notes of one incident contribute at most: a runaway mail thread must
# not exceed PostgreSQL's tsvector limit (1 MB) nor slow every reply down.
MAX_MESSAGES_TEXT = 200_000
# The SQLite FTS5 table; its shadow tables share the prefix (incident_search_fts_data ...).
FTS_TABLE = "incident_search_fts"
# The PostgreSQL tsvector column and its GIN index, added by DDL, not declared below.
DOCUMENT = "document"
DOCUMENT_INDEX = "ix_incident_search_document"

incident_search = Table(
    "incident_search",
    db.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    *(Column(name, Text, nullable=False) for name in FIELDS),
)

# PostgreSQL's parser keeps addresses, host names, paths and versions as single tokens
# ("pat@example.com") and drops what looks like HTML tags; FTS5 splits them all into words.
# Turning their punctuation into spaces first makes PostgreSQL index the same words.
PG_PUNCTUATION = "@./:_+~=#\\<>&;"
PG_TEXT = "translate(coalesce({field}, ''), '{punct}', '{spaces}')"
PG_WEIGHTS = dict(zip(FIELDS, "ABCD", strict=True))


def pg_document_sql() -> str:
    """The expression of the weighted tsvector (subject A, description B, messages C,
    requester D), for the generated column."""
    spaces = " " * len(PG_PUNCTUATION)
    parts = (
        f"setweight(to_tsvector('simple'::regconfig, "
        f"{PG_TEXT.format(field=name, punct=PG_PUNCTUATION, spaces=spaces)}), '{weight}')"
        for name, weight in PG_WEIGHTS.items()
    )
    return " || ".join(parts)


def sqlite_ddl() -> list[str]:
    """The FTS5 table over incident_search and the triggers that keep it in step."""
    fields = ", ".join(FIELDS)
    new = ", ".join(f"new.{name}" for name in FIELDS)
    old = ", ".join(f"old.{name}" for name in FIELDS)
    forget = (
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {fields}) "
        f"VALUES ('delete', old.incident_id, {old});"
    )
    learn = f"INSERT INTO {FTS_TABLE} (rowid, {fields}) VALUES (new.incident_id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({fields}, content='incident_search', "
        "content_rowid='incident_id', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER incident_search_ai AFTER INSERT ON incident_search BEGIN {learn} END",
        f"CREATE TRIGGER incident_search_ad AFTER DELETE ON incident_search BEGIN {forget} END",
        "CREATE TRIGGER incident_search_au AFTER UPDATE ON incident_search "
        f"BEGIN {forget} {learn} END",
    ]


def postgresql_ddl() -> list[str]:
    """The generated tsvector column and its GIN index."""
    return [
        f"ALTER TABLE incident_search ADD COLUMN {DOCUMENT} tsvector "
        f"GENERATED ALWAYS AS ({pg_document_sql()}) STORED",
        f"CREATE INDEX {DOCUMENT_INDEX} ON incident_search USING gin ({DOCUMENT})",
    ]


def is_derived(name: str | None, type_: str, table_name: str | None = None) -> bool:
    """Whether a schema object is the dialect's search machinery rather than a declared
    model (schema comparisons leave these out): the FTS5 tables, the tsvector and its index."""
    if type_ == "table":
        return bool(name) and (name == FTS_TABLE or str(name).startswith(f"{FTS_TABLE}_"))
    if type_ == "column":
        return name == DOCUMENT and table_name == incident_search.name
    return type_ == "index" and name == DOCUMENT_INDEX


def declared(obj: Any, name: str | None, type_: str, _reflected: bool, _other: Any) -> bool:
    """Alembic's include_object hook: leave the search machinery out of schema comparisons
    (autogenerate, tests/test_migrations.py), which know only the declared models."""
    table = getattr(getattr(obj, "table", None), "name", None)
    return not is_derived(name, type_, table)


@event.listens_for(incident_search, "after_create")
def _create_search_machinery(_table: Table, connection: Connection, **_kw: Any) -> None:
    ddl = {"sqlite": sqlite_ddl, "postgresql": postgresql_ddl}.get(connection.dialect.name)
    for statement in ddl() if ddl else ():
        connection.exec_driver_sql(statement)


@event.listens_for(incident_search, "before_drop")
def _drop_search_machinery(_table: Table, connection: Connection, **_kw: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def document_rows(where: ColumnElement[bool]) -> Any:
    """SELECT the index rows (incident_id and each field) of the incidents matching `where`."""
    messages = (
        select(func.aggregate_strings(Message.body, "\n"))
        .where(Message.incident_id == Incident.id, Message.kind.in_((REPLY, NOTE)))
        .scalar_subquery()
    )
    return (
        select(
            Incident.id,
            Incident.subject,
            Incident.description,
            func.substr(func.coalesce(messages, ""), 1, MAX_MESSAGES_TEXT),
            User.name + literal(" ") + User.email,
        )
        .join(User, User.id == Incident.requester_id)
        .where(where)
    )


def refresh(connection: Connection, where: ColumnElement[bool]) -> None:
    """Write the index rows of the incidents matching `where` from what they hold now.

    An upsert rather than delete-then-insert: two transactions adding to one incident at
    once on PostgreSQL would otherwise both insert its row, and the second would fail.
    """
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(incident_search).from_select(
        ["incident_id", *FIELDS], document_rows(where)
    )
    statement = statement.on_conflict_do_update(
        index_elements=[incident_search.c.incident_id],
        set_={name: getattr(statement.excluded, name) for name in FIELDS},
    )
    connection.execute(statement)


def append_message(connection: Connection, incident_id: int, body: str) -> None:
    """Add one new reply or note to an incident's indexed messages: the common write (a
    reply) costs one short UPDATE instead of re-reading the whole conversation."""
    messages = incident_search.c.messages
    connection.execute(
        incident_search.update()
        .where(incident_search.c.incident_id == incident_id)
        .values(messages=func.substr(messages + literal("\n") + body, 1, MAX_MESSAGES_TEXT))
    )


def _changed(instance: object, *names: str) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _rebuilt(session: Session) -> set[int]:
    """The incidents whose index row this flush must rebuild from what they hold: new ones,
    those with a new subject, description or requester, those whose messages were edited,
    moved or deleted, and both sides of a merge (whose bulk UPDATE moving the messages the
    session does not see; the duplicate's new `merged_into` is what it does see)."""
    ids: set[int] = set()
    for incident in (obj for obj in session.new if isinstance(obj, Incident)):
        ids.add(incident.id)
    for obj in session.dirty:
        if isinstance(obj, Incident):
            if _changed(obj, "subject", "description", "requester_id"):
                ids.add(obj.id)
            if _changed(obj, "merged_into_id", "merged_into") and obj.merged_into_id:
                ids.update((obj.id, obj.merged_into_id))
        elif isinstance(obj, Message) and _changed(obj, "body", "kind", "incident_id"):
            ids.add(obj.incident_id)
            ids.update(inspect(obj).attrs["incident_id"].history.deleted or ())
    ids.update(m.incident_id for m in session.deleted if isinstance(m, Message))
    return ids


@event.listens_for(Session, "after_flush")
def _keep_index_current(session: Session, _flush: UOWTransaction) -> None:
    """Keep the index of the incidents this flush changed, on the flush's own connection,
    so the index commits or rolls back with the change. System events are not indexed."""
    rebuilt = _rebuilt(session)
    appended = sorted(
        (m for m in session.new if isinstance(m, Message) and m.kind in (REPLY, NOTE)),
        key=lambda m: m.id,
    )
    people = {u.id for u in session.dirty if isinstance(u, User) and _changed(u, "name", "email")}
    connection = session.connection() if rebuilt or appended or people else None
    if connection is None:
        return
    if rebuilt:
        refresh(connection, Incident.id.in_(sorted(rebuilt)))
    for message in appended:
        if message.incident_id not in rebuilt:
            append_message(connection, message.incident_id, message.body)
    if people:
        refresh(connection, Incident.requester_id.in_(sorted(people)))
