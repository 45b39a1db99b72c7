"""The `helpdesk` command: a FlaskGroup around create_app, plus the project's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from helpdesk import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Helpdesk: email and self-service portal helpdesk for ITIL incident management."""


def prepare_instance() -> None:
    """Create the instance folders and bring the database schema up to date."""
    from flask_migrate import upgrade

    for key in ("ATTACHMENT_DIR", "OUTBOX_DIR", "SEARCH_INDEX_DIR"):
        Path(current_app.config[key]).mkdir(parents=True, exist_ok=True)
    upgrade()


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create the instance folder, the database schema (via migrations) and the index folder."""
    prepare_instance()
    click.echo(f"Instance ready in {current_app.instance_path}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Run the development web server (use gunicorn in production)."""
    click.echo(f"Helpdesk is running at http://{host}:{port}/  (Ctrl+C to stop)")
    current_app.run(host=host, port=port, debug=False, use_reloader=False)


@main.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.option("--email", required=True, help="Sign-in address.")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role", type=click.Choice(["user", "agent", "admin"]), default="user", show_default=True
)
@with_appcontext
def user_create_command(email: str, name: str, role: str) -> None:
    """Create an account. The password is read from stdin or prompted, never an argument."""
    from helpdesk import accounts
    from helpdesk.incidents import DomainError

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, name, role, password)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} {user.email}")
