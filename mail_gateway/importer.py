"""`helpdesk mail import PATH...`: ingest .eml files, mbox files and Maildir folders."""

from __future__ import annotations

import click


@click.group("mail")
def mail_group() -> None:
    """Work with mail files."""
