"""`helpdesk gateway ...`: run the mail gateway, poll once, or drain the outbox once; and
`helpdesk mail import PATH...`.

Connection and login problems end the one-shot commands with exit status 1 and a sentence
saying what failed (never a traceback, never a password); `run` keeps retrying instead.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from helpdesk.core.daemons import DATABASE_ERRORS, error_text
from helpdesk.core.schema import require_schema
from mail_gateway import outbox, runner
from mail_gateway.imap_settings import GatewayError
from mail_gateway.mail_files import SKIP_REASONS, Summary, import_paths


@click.group("gateway")
def gateway_group() -> None:
    """Run the mail gateway (IMAP intake and SMTP outbox)."""


def _fail(error: BaseException) -> click.ClickException:
    """A clean exit-1 error for a failed connection, login or database."""
    return click.ClickException(f"mail gateway: {error_text(error)}")


@gateway_group.command("run")
@with_appcontext
def run_command() -> None:
    """Run until SIGTERM/SIGINT: fetch mail (IDLE or polling), drain the outbox, reconnect."""
    require_schema()
    try:
        runner.run()
    except GatewayError as error:  # settings that can never work
        raise _fail(error) from error
    click.echo("Mail gateway stopped.")


once_option = click.option("--once", is_flag=True, help="Do one pass and exit (required).")


@gateway_group.command("poll")
@once_option
@with_appcontext
def poll_command(once: bool) -> None:
    """Fetch and ingest the waiting mail once, drain the outbox once, print a summary."""
    if not once:
        raise click.UsageError("poll needs --once; `helpdesk gateway run` keeps polling")
    require_schema()
    try:
        summary, sent = runner.poll_once()
    except runner.RETRYABLE as error:
        raise _fail(error) from error
    click.echo(f"Mail: {summary.line()}")
    click.echo(f"Outbox: {sent.line()}")


@gateway_group.command("send")
@once_option
@with_appcontext
def send_command(once: bool) -> None:
    """Deliver the outbox rows that are due, once, and print what happened."""
    if not once:
        raise click.UsageError("send needs --once; `helpdesk gateway run` keeps sending")
    require_schema()
    try:
        result = outbox.drain()
    except runner.RETRYABLE as error:
        raise _fail(error) from error
    click.echo(f"Outbox: {result.line()}")


@click.group("mail")
def mail_group() -> None:
    """Work with mail files."""


@mail_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Ingest mail files (any name, in folders at any depth), mbox files and Maildir
    folders, then print a summary; exit 1 when something could not be read or processed."""
    require_schema()
    summary = Summary()
    try:
        import_paths(list(paths), summary)
    except DATABASE_ERRORS as error:
        click.echo(summary.line())
        raise click.ClickException(f"The database is unavailable: {error}") from error
    _report_problems(summary)
    click.echo(summary.line())
    if summary.unreadable or summary.failed or summary.nothing_read:
        raise SystemExit(1)


def _report_problems(summary: Summary) -> None:
    """Say on standard error what was skipped, unreadable, empty or not processed."""
    for path, reason in summary.skipped:
        click.echo(f"Skipped {path}: {SKIP_REASONS[reason]}", err=True)
    for problem in summary.unreadable:
        click.echo(f"Could not read {problem}", err=True)
    for problem in summary.nothing_read:
        click.echo(f"Nothing could be imported from {problem}", err=True)
    if summary.failed:
        click.echo(f"{summary.failed} could not be processed; see the log above.", err=True)
