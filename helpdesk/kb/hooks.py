"""Session hooks that bring the search index up to date right after a commit.

The queue entries themselves are written by the model's mapper events inside the
transaction (helpdesk.models.kb); these hooks only decide when to apply them.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.kb import index
from helpdesk.models.kb import INDEX_DIRTY


def _after_commit(session: Session) -> None:
    """An article changed in the transaction just committed: update the index now."""
    if session.info.pop(INDEX_DIRTY, False) and not index.is_deferred():
        index.sync_quietly()


def _after_rollback(session: Session) -> None:
    """The queued entries were rolled back with the change; nothing to index."""
    session.info.pop(INDEX_DIRTY, None)


def install() -> None:
    """Listen on the app's session factory (once, however often this is called)."""
    for name, hook in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
