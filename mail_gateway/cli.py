"""`helpdesk gateway ...`: run the mail gateway, poll once, and report its health."""

from __future__ import annotations

import click


@click.group("gateway")
def gateway_group() -> None:
    """Run the mail gateway (IMAP intake and SMTP outbox)."""
