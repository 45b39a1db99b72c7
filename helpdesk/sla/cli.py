"""`helpdesk sla ...`: SLA policies from the command line; `simulate` needs no database,
`export` and `import` read and write the policies kept in it, `tick` records what is due."""

from __future__ import annotations

import json
from typing import TextIO

import click
from flask.cli import with_appcontext

from helpdesk import worker
from helpdesk.core.daemons import DATABASE_ERRORS, error_text
from helpdesk.core.errors import DomainError
from helpdesk.core.schema import require_schema
from helpdesk.models import utcnow
from helpdesk.sla.simulate import SimulationError, simulate
from helpdesk.sla_policies.toml_files import export_toml, import_toml


@click.group("sla")
def sla_group() -> None:
    """SLA policies: check them on a timeline, export and import them as TOML."""


@sla_group.command("simulate")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def simulate_command(file: TextIO) -> None:
    """Run the SLA clock on the policy and timeline in FILE (JSON, `-` for standard input)
    and print each target's due, met, breached and warned times in UTC."""
    try:
        spec = json.load(file)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{file.name}: not JSON ({error})") from error
    try:
        click.echo(json.dumps(simulate(spec), indent=2))
    except SimulationError as error:
        raise click.ClickException(str(error)) from error


@sla_group.command("export")
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write to FILE instead of standard output.",
)
@with_appcontext
def export_command(output: TextIO) -> None:
    """Write every SLA calendar and policy as TOML, for review in git."""
    output.write(export_toml())


@sla_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_command(file: TextIO) -> None:
    """Make the SLA calendars and policies exactly those of FILE (TOML, as export writes it):
    create and update them by name, delete those it leaves out. All or nothing."""
    try:
        summary = import_toml(file.read())
    except DomainError as error:
        raise click.ClickException(f"{file.name}: {error}") from error
    click.echo(
        f"Created {len(summary.created)}, updated {len(summary.updated)}, "
        f"deleted {len(summary.deleted)}, unchanged {len(summary.unchanged)}."
    )
    changes = {"created": summary.created, "updated": summary.updated, "deleted": summary.deleted}
    for verb, labels in changes.items():
        for label in labels:
            click.echo(f"  {verb} {label}")


@sla_group.command("tick")
@with_appcontext
def tick_command() -> None:
    """Run the scheduler's jobs once, as `helpdesk worker` does every minute: record the
    SLA warnings and breaches that are due. Running it again changes nothing more."""
    require_schema()
    try:
        done = worker.run_pass(worker.JOBS, utcnow())
    except DATABASE_ERRORS as error:
        raise click.ClickException(f"sla tick: {error_text(error)}") from error
    click.echo(f"Pass: {worker.describe(done)}")
    failed = [job.name for job in worker.JOBS if job.name not in done]
    if failed:
        raise click.ClickException(f"failed (see the log): {', '.join(failed)}")
