"""Whether the database has been set up: commands that need tables stop with a hint first."""

from __future__ import annotations

import click
from sqlalchemy import inspect

from helpdesk.extensions import db


def require_schema() -> None:
    """Stop a command with a hint when the database has not been initialised yet."""
    if not inspect(db.engine).has_table("incidents"):
        raise click.ClickException("The database is empty. Run `helpdesk init` first.")
