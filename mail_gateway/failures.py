"""Which errors stop a pass over the inbox, and which belong to one mail.

The network or the database being gone stops the pass: nothing is skipped, and the next
pass tries again. Any other error while applying one mail is a bug for that mail alone: it
is logged, and the mail stays where it is (unread), so one poisonous message cannot hold up
the rest of the inbox. Errors in the mail itself never get this far: ingest quarantines.
"""

from __future__ import annotations

import imaplib

from sqlalchemy.exc import InterfaceError, OperationalError

# "The server or the network is gone": reconnect, never skip mail.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.error)
# The database itself: stop the pass and retry later, never quarantine for them.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


def error_text(error: BaseException) -> str:
    """A short, secret-free description of a network or protocol error."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, DATABASE_ERRORS):  # without the SQL and its parameters
        return f"database error: {getattr(error, 'orig', None) or type(error).__name__}"
    return str(error) or type(error).__name__
