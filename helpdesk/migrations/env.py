"""Alembic environment for Flask-Migrate: runs migrations on the app's own engine."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import Connection

from helpdesk.models.search import declared

config = context.config
# Keep the app's loggers alive: Alembic's default would silence every existing logger.
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
metadata = migrate_extension.db.metadata


def skip_empty_autogenerate(_context, _revision, directives) -> None:
    """Write no migration file when autogenerate finds no schema change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_offline() -> None:
    """Emit SQL for the upgrade instead of running it (`helpdesk db upgrade --sql`)."""
    url = migrate_extension.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on a connection from the app's engine."""
    options = dict(migrate_extension.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("include_object", declared)
    with migrate_extension.db.engine.connect() as connection, foreign_keys_off(connection):
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, migrate with foreign keys off: altering a table rebuilds it (create a
    copy, drop the original, rename), and dropping `incidents` with them on would run every
    ON DELETE CASCADE, emptying messages and the rest. The checks come back on afterwards,
    and a migration that left a dangling reference fails."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()  # the pragma is ignored inside a transaction; end the one it began
    try:
        yield
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"the migration left dangling references: {dangling[:5]}")
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
