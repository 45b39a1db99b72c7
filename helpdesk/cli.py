"""The `helpdesk` command: a FlaskGroup around create_app, plus the project's own commands."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO, cast

import click
from flask import current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext

from helpdesk import background, create_app, worker
from helpdesk.core.schema import require_schema
from helpdesk.core.settings import SettingsError, install_settings, settings
from helpdesk.kb.cli import kb_group
from helpdesk.models.api import TOKEN_SCOPES
from helpdesk.reports import keeper
from helpdesk.reports.cli import reports_group
from helpdesk.sla.cli import sla_group
from mail_gateway.cli import gateway_group, mail_group
from mail_gateway.maildir import make_maildir

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.local import LocalProxy

    from helpdesk.models import User


def create_app_or_say_why() -> Flask:
    """Build the app; a bad config value ends the command with its message, no traceback
    (Flask's CLI prints a NoAppException as an error, even while it lists the commands)."""
    try:
        return create_app()
    except SettingsError as error:
        raise NoAppException(f"Bad configuration: {error}") from error


@click.group(cls=FlaskGroup, create_app=create_app_or_say_why, add_version_option=False)
def main() -> None:
    """Helpdesk: email and self-service portal helpdesk for ITIL incident management."""


def prepare_instance() -> None:
    """Create the instance folders (the drop folder with its new/, cur/ and tmp/) and bring
    the database schema up to date, with the reports' measures of every incident."""
    from flask_migrate import upgrade

    folders = settings().folders
    for folder in (folders.attachments, folders.outbox, folders.search_index):
        folder.mkdir(parents=True, exist_ok=True)
    make_maildir(folders.maildrop)
    upgrade()
    keeper.rebuild(missing_only=True)  # incidents from before the reports had measures


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create the instance folder, the database schema (via migrations) and the index folder."""
    prepare_instance()
    click.echo(f"Instance ready in {current_app.instance_path}")


def use_served_address(host: str, port: int) -> str:
    """Point links in mail where this server is reached, unless BASE_URL says where the
    app is published; return the address links use."""
    if settings().site.base_url is None:
        app = cast("LocalProxy[Flask]", current_app)._get_current_object()
        app.config["BASE_URL"] = background.served_url(host, port)
        install_settings(app)
    return settings().site.link_base


def run_server(host: str, port: int) -> None:
    """Serve the app with Werkzeug's development server until Ctrl+C.

    Not app.run(): inside a `flask`-style command Flask ignores that call on purpose.
    """
    from werkzeug.serving import run_simple

    click.echo(f"Helpdesk is running at {background.served_url(host, port)}/  (Ctrl+C to stop)")
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    run_simple(host, port, app, threaded=True)


host_option = click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
port_option = click.option(
    "--port", default=5000, show_default=True, type=int, help="Port to listen on."
)


@main.command("serve")
@host_option
@port_option
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Run the development web server (use gunicorn in production)."""
    use_served_address(host, port)
    run_server(host, port)


@main.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo teams, people and incidents (does nothing if they are already loaded)."""
    require_schema()
    load_and_describe_demo(settings().site.link_base)


@main.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the scheduler until SIGTERM/SIGINT: SLA warnings and breaches every
    WORKER_INTERVAL_SECONDS (one pass: `helpdesk sla tick`)."""
    require_schema()
    worker.run()
    click.echo("Worker stopped.")


@main.command("quickstart")
@host_option
@port_option
@with_appcontext
def quickstart_command(host: str, port: int) -> None:
    """Set up the database, load the demo data, and run the web server with the mail
    gateway (drop folder in, outbox out) and the worker beside it: try it all in one go."""
    prepare_instance()
    base_url = use_served_address(host, port)
    load_and_describe_demo(base_url)
    describe_embedded_mail()
    instance = current_app.instance_path
    with background.sigterm_interrupts(), background.running_beside(instance, base_url):
        run_server(host, port)


def describe_embedded_mail() -> None:
    """Say where to drop mail for the gateway and where sent mail lands, when embedded."""
    mail, folders = settings().mail, settings().folders
    if not mail.uses_imap:
        new = folders.maildrop / "new"
        click.echo(f"Mail in: drop messages into {new}; the mail gateway takes them.")
    if mail.outbox_transport == "file":
        click.echo(f"Mail out: written as .eml files to {folders.outbox}")


def load_and_describe_demo(base_url: str) -> None:
    """Load the demo data if needed and print where and how to sign in."""
    from helpdesk import demo

    created = demo.load_demo()
    if created:
        click.echo(f"Demo data loaded: {created} incidents.")
    else:
        click.echo("Demo data is already loaded; nothing changed.")
    click.echo(
        f"Open {base_url.rstrip('/')}/ and sign in with a demo account "
        f"(password for all: {demo.DEMO_PASSWORD}):"
    )
    for person in demo.logins():
        team = f" ({person.team})" if person.team else ""
        click.echo(f"  {person.role:<6} {person.email:<28} {person.name}{team}")


def parse_since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    """Turn --since into a naive UTC datetime; a date means midnight UTC of that day."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not a date. Use YYYY-MM-DD (UTC), e.g. 2025-01-31, "
            "or a time such as 2025-01-31T08:00:00Z."
        ) from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@main.command("export")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format: JSON Lines, one incident per line.",
)
@click.option(
    "--since",
    metavar="DATE",
    callback=parse_since,
    help="Only incidents changed on or after this date (YYYY-MM-DD or ISO 8601 time, UTC).",
)
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="File to write  [default: standard output]",
)
@with_appcontext
def export_command(output_format: str, since: datetime | None, output: TextIO) -> None:
    """Export incidents with their messages and audit trail."""
    from helpdesk.reads.export import write_jsonl

    count = write_jsonl(output, since)
    click.echo(
        f"Exported {count} incident{'s' if count != 1 else ''} as {output_format}.", err=True
    )


@main.command("import")
@click.argument("path", metavar="FILE.jsonl", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Import incident history written by `helpdesk export` (format 1): incidents already
    here (by reference) are skipped; nobody is mailed."""
    from pathlib import Path

    from helpdesk.history.command import run_import

    run_import(Path(path))


@main.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.option("--email", required=True, help="Sign-in address.")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role", type=click.Choice(["user", "agent", "admin"]), default="user", show_default=True
)
@click.option("--send-link", is_flag=True, help="No password: email a link to choose one.")
@with_appcontext
def user_create_command(email: str, name: str, role: str, send_link: bool) -> None:
    """Create an account. The password is read from stdin or prompted, never an argument;
    with --send-link the person chooses it through an emailed link instead."""
    from helpdesk import accounts
    from helpdesk.incidents import DomainError

    password: str | None = None
    if not send_link and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    elif not send_link:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, name, role, password)
        if send_link:
            accounts.send_password_link(user)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    mailed = ", and mailed a link to choose a password" if send_link else ""
    click.echo(f"Created {user.role} {user.email}{mailed}")


@main.group("token")
def token_group() -> None:
    """Manage people's personal access tokens for the REST API."""


def _account_named(email: str) -> User:
    """The account with this address, or end the command saying there is none (exit 1)."""
    from helpdesk import accounts

    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the address {email}.")
    return user


@token_group.command("create")
@click.option("--user", "email", required=True, help="Sign-in address of the token's owner.")
@click.option("--name", default="API token", show_default=True, help="What the token is for.")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="read", show_default=True)
@with_appcontext
def token_create_command(email: str, name: str, scope: str) -> None:
    """Create a token and print it, once: only its hash is kept, so copy it now. The token
    alone goes to standard output, so `$(helpdesk token create ...)` captures just it."""
    from helpdesk import api_tokens
    from helpdesk.incidents import DomainError

    try:
        row, token = api_tokens.create_from_command_line(_account_named(email), name, scope)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(token)
    click.echo(
        f"Token {row.id} ({row.scope}) for {row.user.email}: copy it now, "
        "it will not be shown again.",
        err=True,
    )


@token_group.command("list")
@click.option("--user", "email", required=True, help="Sign-in address of the tokens' owner.")
@with_appcontext
def token_list_command(email: str) -> None:
    """List a person's tokens, newest first: id, prefix, scope, name, created, last used,
    and whether revoked (times in UTC)."""
    from helpdesk import api_tokens

    def when(moment: datetime | None) -> str:
        return f"{moment:%Y-%m-%d %H:%M}Z" if moment else "never"

    rows = api_tokens.tokens_of(_account_named(email))
    if not rows:
        click.echo(f"{email} has no tokens.", err=True)
    for row in rows:
        state = f"revoked {when(row.revoked_at)}" if row.revoked_at else "active"
        click.echo(
            f"{row.id}\t{row.prefix}…\t{row.scope}\t{row.name}\tcreated {when(row.created_at)}"
            f"\tlast used {when(row.last_used_at)}\t{state}"
        )


@token_group.command("revoke")
@click.argument("token_id", type=click.IntRange(min=1))
@with_appcontext
def token_revoke_command(token_id: int) -> None:
    """Revoke a token by its id (see `helpdesk token list`); it stops working at once."""
    from helpdesk import api_tokens
    from helpdesk.incidents import DomainError

    try:
        row = api_tokens.revoke_from_command_line(token_id)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Token {row.id} ({row.prefix}…) of {row.user.email} is revoked.")


main.add_command(gateway_group)
main.add_command(mail_group)
main.add_command(kb_group)
main.add_command(sla_group)
main.add_command(reports_group)
