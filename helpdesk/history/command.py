"""The `helpdesk import` command's run: a progress bar on a terminal, every bad line or the
refused one on standard error with exit code 1, the warnings, then the summary."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from helpdesk.history.importing import ImportFailed, import_file
from helpdesk.history.reading import BadFile, raw_lines


@contextmanager
def progress_bar(path: Path) -> Iterator[Any]:
    """A bar over the file's lines when standard error is a terminal, else nothing shown."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    total = sum(1 for _ in raw_lines(path))
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        yield bar.update


def run_import(path: Path) -> None:
    """Import the file and say what happened; exit with 1 when nothing could be imported."""
    try:
        with progress_bar(path) as progress:
            outcome = import_file(path, progress)
    except BadFile as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        click.echo(f"Nothing imported: {error}", err=True)
        raise click.exceptions.Exit(1) from error
    except ImportFailed as error:
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(1) from error
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(outcome.summary())
