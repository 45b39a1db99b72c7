"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import warnings
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
from helpdesk.models import search

pytestmark = pytest.mark.usefixtures("keep_logging")


def bare_app(instance: Path, database_url: str | None = None) -> Flask:
    """An app whose database has no tables at all (unlike the `app` fixture's create_all)."""
    config: dict[str, object] = {"TESTING": True, "INSTANCE_PATH": str(instance)}
    if database_url:
        config["DATABASE_URL"] = database_url
    return create_app(config)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    """bare_app, once on SQLite and once on a fresh PostgreSQL database."""
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_server").fresh_database("helpdesk_migrations")
    return bare_app(tmp_path / "instance", url)


def schema_differences(app: Flask) -> list[object]:
    """Compare the live database with the models the way `flask db migrate` would.

    SQLite's reflection cannot read an index on expressions (sla_policies' scope index), and
    SQLAlchemy and Alembic say so; PostgreSQL's can, so that index is compared there."""
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": search.declared,
            },
        )
        return compare_metadata(context, db.metadata)


def upgrade_matches_models(app: Flask) -> None:
    """Upgrade an empty database to head and check nothing is missing, extra or different."""
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        flask_migrate.upgrade()
        tables = {
            t for t in inspect(db.engine).get_table_names() if not search.is_derived(t, "table")
        }
        assert tables == set(db.metadata.tables) | {"alembic_version"}
        assert schema_differences(app) == []
        flask_migrate.downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_upgrade_gives_the_models_schema(empty_app: Flask) -> None:
    upgrade_matches_models(empty_app)


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


def test_audit_events_keep_their_incident(empty_app: Flask) -> None:
    events_keep_their_incident(empty_app)


def standard_policy_is_seeded(app: Flask) -> None:
    """0013 seeds the calendar and the default policy with the targets hard-coded before it
    (P1 15m/4h and P2 1h/8h around the clock; P3 to P5 in business time), and its downgrade
    takes both tables away again."""
    with app.app_context():
        flask_migrate.upgrade(revision="0013")
        with db.engine.connect() as connection:
            calendar = connection.execute(sa.text("SELECT * FROM sla_calendars")).mappings().one()
            policy = connection.execute(sa.text("SELECT * FROM sla_policies")).mappings().one()
        workday = ["09:00-17:00"]
        assert (calendar["name"], calendar["timezone"], calendar["country"]) == (
            "Office hours",
            "UTC",
            None,
        )
        assert _json(calendar["hours"]) == {
            day: workday for day in ("mon", "tue", "wed", "thu", "fri")
        }
        assert _json(calendar["holidays"]) == []
        assert (policy["name"], policy["calendar_id"], bool(policy["is_default"])) == (
            "Standard",
            calendar["id"],
            True,
        )
        assert (policy["service_id"], policy["category_id"], policy["warn_at"]) == (
            None,
            None,
            0.75,
        )
        assert _json(policy["pause_on"]) == ["awaiting_user"]
        assert _json(policy["targets"]) == {
            "P1": {"response": "15m", "resolution": "4h", "clock": "24x7"},
            "P2": {"response": "1h", "resolution": "8h", "clock": "24x7"},
            "P3": {"response": "4h", "resolution": "24h", "clock": "business"},
            "P4": {"response": "8h", "resolution": "40h", "clock": "business"},
            "P5": {"response": "8h", "resolution": "80h", "clock": "business"},
        }
        flask_migrate.downgrade(revision="0012")
        assert not {"sla_calendars", "sla_policies"} & set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def _json(value: object) -> object:
    """A JSON column as raw SQL returns it: text on SQLite, decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_standard_policy_is_seeded(empty_app: Flask) -> None:
    standard_policy_is_seeded(empty_app)


def incidents_get_the_default_policy(app: Flask) -> None:
    """0014 gives every incident the default policy and the open ones a check at once (the
    scheduler's first pass then recomputes their clocks); its downgrade drops the columns."""
    with app.app_context():
        flask_migrate.upgrade(revision="0013")
        with db.engine.begin() as connection:
            person = {"id": 1, "email": "pat@example.com", "name": "Pat", "role": "user"}
            users = _table("users", *person, "token_nonce", "active", "created_at")
            connection.execute(
                sa.insert(users),
                [person | {"token_nonce": "n", "active": True, "created_at": WHEN}],
            )
            incident = {
                "subject": "VPN down",
                "description": "It is down.",
                "channel": "portal",
                "requester_id": 1,
                "impact": "low",
                "urgency": "low",
                "priority": 4,
                "created_at": WHEN,
                "updated_at": WHEN,
                "last_activity_at": WHEN,
                "last_public_activity_at": WHEN,
            }
            incidents = _table("incidents", "id", "status", *incident)
            connection.execute(
                sa.insert(incidents),
                [
                    incident | {"id": 7, "status": "on_hold"},
                    incident | {"id": 9, "status": "closed"},
                ],
            )
        flask_migrate.upgrade(revision="0014")
        with db.engine.connect() as connection:
            default = connection.execute(sa.text("SELECT id FROM sla_policies")).scalar_one()
            rows = connection.execute(
                sa.text("SELECT id, sla_policy_id, sla_check_at FROM incidents ORDER BY id")
            ).all()
        assert [(row[0], row[1], row[2] is not None) for row in rows] == [
            (7, default, True),
            (9, default, False),
        ]
        flask_migrate.downgrade(revision="0013")
        columns = {column["name"] for column in inspect(db.engine).get_columns("incidents")}
        assert "sla_check_at" not in columns and "sla_policy_id" not in columns
        db.engine.dispose()


def test_incidents_get_the_default_policy(empty_app: Flask) -> None:
    incidents_get_the_default_policy(empty_app)


def rebuilt_incidents_keep_their_messages(app: Flask) -> None:
    """0021 alters incidents, which SQLite does by rebuilding the table: the messages, whose
    foreign key cascades on delete, are all still there afterwards (migrations run with
    foreign keys off), and the incident's new links start empty."""
    with app.app_context():
        flask_migrate.upgrade(revision="0020")
        with db.engine.begin() as connection:
            person = {"id": 1, "email": "pat@example.com", "name": "Pat", "role": "user"}
            users = _table("users", *person, "token_nonce", "active", "away", "created_at")
            connection.execute(
                sa.insert(users),
                [person | {"token_nonce": "n", "active": True, "away": False, "created_at": WHEN}],
            )
            incident = {
                "id": 7,
                "subject": "VPN down",
                "description": "It is down.",
                "channel": "portal",
                "requester_id": 1,
                "impact": "low",
                "urgency": "low",
                "priority": 4,
                "status": "new",
                "status_changed_at": WHEN,
                "created_at": WHEN,
                "updated_at": WHEN,
                "last_activity_at": WHEN,
                "last_public_activity_at": WHEN,
            }
            connection.execute(sa.insert(_table("incidents", *incident)), [incident])
            message = {
                "incident_id": 7,
                "kind": "reply",
                "channel": "portal",
                "body": "Still down.",
                "needs_review": False,
                "created_at": WHEN,
            }
            connection.execute(sa.insert(_table("messages", *message)), [message, message])
        flask_migrate.upgrade(revision="0021")
        with db.engine.connect() as connection:
            kept = connection.execute(sa.text("SELECT count(*) FROM messages")).scalar_one()
            links = connection.execute(
                sa.text("SELECT problem_id, caused_by_change_id, parent_id FROM incidents")
            ).one()
        assert (kept, tuple(links)) == (2, (None, None, None))
        db.engine.dispose()


def test_rebuilt_incidents_keep_their_messages(empty_app: Flask) -> None:
    rebuilt_incidents_keep_their_messages(empty_app)
