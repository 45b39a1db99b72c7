"""The end of every service call: commit, then hand queued mail to the embedded transport."""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.notify.delivery import deliver_after_commit


def commit() -> None:
    """Commit the unit of work; on failure roll back so the session stays usable."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    deliver_after_commit()
