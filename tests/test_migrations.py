"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

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
