"""`helpdesk reports ...`: the reports' facts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from helpdesk.core.schema import require_schema
from helpdesk.reports import keeper


@click.group("reports")
def reports_group() -> None:
    """Reports: derive the incidents' measures again."""


@reports_group.command("rebuild")
@click.option("--missing", is_flag=True, help="Only incidents that have no measures yet (fast).")
@with_appcontext
def rebuild_command(missing: bool) -> None:
    """Derive every incident's measures again from its audit trail (each change keeps them
    current; this is for an upgrade, a restored backup or a changed SLA policy)."""
    require_schema()
    if sys.stderr.isatty():
        with click.progressbar(length=_count(missing), label="Incidents", file=sys.stderr) as bar:
            count = keeper.rebuild(missing, bar.update)
    else:
        count = keeper.rebuild(missing)
    click.echo(f"Derived the measures of {count} incident{'s' if count != 1 else ''}.")


def _count(missing: bool) -> int:
    """How many incidents a rebuild will derive, for the progress bar."""
    return len(keeper.incidents_to_derive(missing))
