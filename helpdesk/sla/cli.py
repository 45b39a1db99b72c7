"""`helpdesk sla ...`: SLA policies from the command line; `simulate` needs no database."""

from __future__ import annotations

import json
from typing import TextIO

import click

from helpdesk.sla.simulate import SimulationError, simulate


@click.group("sla")
def sla_group() -> None:
    """SLA policies: check them on a timeline."""


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
