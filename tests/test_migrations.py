"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Connection, inspect

from helpdesk import create_app
from helpdesk.extensions import db

pytestmark = pytest.mark.usefixtures("keep_logging")


def bare_app(instance: Path, database_url: str | None = None) -> Flask:
    """An app whose database has no tables at all (unlike the `app` fixture's create_all)."""
    config: dict[str, object] = {"TESTING": True, "INSTANCE_PATH": str(instance)}
    if database_url:
        config["DATABASE_URL"] = database_url
    return create_app(config)


def schema_differences(app: Flask) -> list[object]:
    """Compare the live database with the models the way `flask db migrate` would."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, db.metadata)


def upgrade_matches_models(app: Flask) -> None:
    """Upgrade an empty database to head and check nothing is missing, extra or different."""
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert tables == set(db.metadata.tables) | {"alembic_version"}
        assert schema_differences(app) == []
        flask_migrate.downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_sqlite_upgrade_gives_the_models_schema(tmp_path: Path) -> None:
    upgrade_matches_models(bare_app(tmp_path / "instance"))


@pytest.mark.postgres
def test_postgresql_upgrade_gives_the_models_schema(tmp_path: Path, pg_server) -> None:
    url = pg_server.fresh_database("helpdesk_migrations")
    upgrade_matches_models(bare_app(tmp_path / "instance", url))


WHEN = datetime(2026, 12, 1, 9, 0)
# Two incidents, 7 and 9, and their events as 0011 stored them: (id, incident_id, action).
INCIDENT_EVENTS = [(1, 7, "opened"), (2, 9, "opened"), (3, 7, "status_changed")]


def _table(name: str, *columns: str, **typed: sa.types.TypeEngine) -> sa.TableClause:
    """A bare table for raw inserts, independent of the models (which follow the head)."""
    return sa.table(
        name, *(sa.column(c) for c in columns), *(sa.column(c, t) for c, t in typed.items())
    )


def _store_incident_events(connection: Connection) -> None:
    """Write a requester, incidents 7 and 9 and their audit events in the 0011 schema."""
    person = {"email": "pat@example.com", "name": "Pat", "role": "user", "token_nonce": "n"}
    users = _table("users", "id", "email", "name", "role", "token_nonce", "active", "created_at")
    connection.execute(sa.insert(users), [person | {"id": 1, "active": True, "created_at": WHEN}])
    incident = {
        "subject": "VPN down",
        "description": "It is down.",
        "channel": "portal",
        "requester_id": 1,
        "impact": "low",
        "urgency": "low",
        "priority": 4,
        "status": "new",
        "created_at": WHEN,
        "updated_at": WHEN,
        "last_activity_at": WHEN,
        "last_public_activity_at": WHEN,
    }
    incidents = _table("incidents", "id", *incident)
    connection.execute(sa.insert(incidents), [incident | {"id": 7}, incident | {"id": 9}])
    events = _table("audit_events", "id", "incident_id", "action", "created_at", details=sa.JSON())
    connection.execute(
        sa.insert(events),
        [
            {
                "id": id_,
                "incident_id": incident_id,
                "action": action,
                "details": {},
                "created_at": WHEN,
            }
            for id_, incident_id, action in INCIDENT_EVENTS
        ],
    )


def _rows(connection: Connection, columns: str) -> list[tuple[object, ...]]:
    """The audit events' `columns`, oldest first, as plain tuples."""
    return [
        tuple(row)
        for row in connection.execute(sa.text(f"SELECT {columns} FROM audit_events ORDER BY id"))
    ]


def events_keep_their_incident(app: Flask) -> None:
    """0012 makes each stored event's incident its subject, and its downgrade gives it back
    (dropping what the older schema cannot hold: events about anything but an incident)."""
    with app.app_context():
        flask_migrate.upgrade(revision="0011")
        with db.engine.begin() as connection:
            _store_incident_events(connection)
        flask_migrate.upgrade(revision="0012")
        with db.engine.begin() as connection:
            assert _rows(connection, "id, subject_type, subject_id, action") == [
                (id_, "incident", incident_id, action)
                for id_, incident_id, action in INCIDENT_EVENTS
            ]
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (id, subject_type, subject_id, action, details,"
                    " created_at) VALUES (4, 'user', 1, 'renamed', '{}', :when)"
                ),
                {"when": WHEN},
            )
        flask_migrate.downgrade(revision="0011")
        with db.engine.connect() as connection:
            assert _rows(connection, "id, incident_id, action") == INCIDENT_EVENTS
        db.engine.dispose()


def test_sqlite_audit_events_keep_their_incident(tmp_path: Path) -> None:
    events_keep_their_incident(bare_app(tmp_path / "instance"))


@pytest.mark.postgres
def test_postgresql_audit_events_keep_their_incident(tmp_path: Path, pg_server) -> None:
    url = pg_server.fresh_database("helpdesk_audit_subject")
    events_keep_their_incident(bare_app(tmp_path / "instance", url))
