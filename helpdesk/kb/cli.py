"""`helpdesk kb ...`: rebuild the search index, import and export Markdown articles."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.kb import files, index
from helpdesk.models import User


@click.group("kb")
def kb_group() -> None:
    """Knowledge base: search index, import and export of articles."""


@kb_group.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database; searches keep working meanwhile."""
    started = time.perf_counter()
    count = index.rebuild()
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {count} article{'s' if count != 1 else ''} in {elapsed:.1f} s.")


def _actor(email: str | None) -> User:
    """The account an import is recorded under: the one named, or the first admin."""
    if email:
        user = accounts.find_by_email(email)
        if user is None or not user.is_agent:
            raise click.ClickException(f"No agent or admin account with the address {email}.")
        return user
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    if admin is None:
        raise click.ClickException("There is no admin account; create one or use --as EMAIL.")
    return admin


@kb_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "email", metavar="EMAIL", help="Record the changes as this agent.")
@with_appcontext
def import_command(paths: tuple[Path, ...], email: str | None) -> None:
    """Import Markdown files (and folders of them); existing slugs are updated, missing
    categories are created. Exits 1 if any file failed (the others are imported)."""
    report = files.import_paths(list(paths), _actor(email))
    click.echo(
        f"Created {len(report.created)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, failed {len(report.failed)}."
    )
    if report.categories:
        click.echo(f"Created categories: {', '.join(report.categories)}.")
    for path, error in report.failed:
        click.echo(f"  {path}: {error}", err=True)
    if report.failed:
        raise SystemExit(1)


@kb_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(folder: Path) -> None:
    """Write every article to FOLDER as <slug>.md with front matter."""
    count = files.export_articles(folder)
    click.echo(f"Exported {count} article{'s' if count != 1 else ''} to {folder}.")
