"""What becomes of a mail when taking it in fails: the one place that decides.

- The network, the database or the disk fails: STOP. The pass ends with nothing skipped
  and nothing recorded; the mail stays on the server (or in its folder) and the next pass
  takes it again.
- Applying the mail fails (the mail itself is refused, a DomainError, or a bug trips on
  it): QUARANTINE. What it did is undone and it is kept with the error for an agent,
  recorded as received, so it is never dropped and never retried in a loop.
- Anything else fails (a bug while recording or quarantining the mail): LEAVE. What it
  did is undone, the error is logged, and the mail stays where it is for the next pass,
  so one poisonous message cannot hold up the rest of the inbox.

mail_gateway.ingest asks while applying a mail, the pass (mail_files.Summary) around it.
"""

from __future__ import annotations

import imaplib

from helpdesk.core.daemons import DATABASE_ERRORS

# "The server or the network is gone": reconnect, never skip mail.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.error)
# Everything that stops a pass (OSError covers the disk as well as the network).
STOP_ERRORS: tuple[type[BaseException], ...] = (*DATABASE_ERRORS, *NETWORK_ERRORS)

STOP = "stop"
QUARANTINE = "quarantine"
LEAVE = "leave"


def fate(error: BaseException, *, applying: bool) -> str:
    """STOP, QUARANTINE or LEAVE for an error raised while taking in one mail (see above);
    `applying`: it was raised while applying the mail, where quarantine can keep it."""
    if isinstance(error, STOP_ERRORS) or not isinstance(error, Exception):
        return STOP
    return QUARANTINE if applying else LEAVE
