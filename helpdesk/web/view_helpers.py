"""What every blueprint's views share: who is signed in, and how a refused change is shown."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_login import current_user
from flask_wtf import FlaskForm

from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.models import User

# The status of a page shown again with a refused form; the page itself is a normal page.
UNPROCESSABLE = 422


def me() -> User:
    """The signed-in person as a real model object, safe to hand to the service layer
    (views that call this require a sign-in)."""
    return current_user._get_current_object()


def refused(error: DomainError) -> None:
    """Drop anything a refused change staged outside a unit of work, and say why."""
    db.session.rollback()
    flash(str(error), "error")


def unreadable(form: FlaskForm) -> None:
    """Say why a submitted form could not be read (an expired session, a mangled field)."""
    flash(" ".join(e for errors in form.errors.values() for e in errors), "error")


def applied(form: FlaskForm, change: Callable[[], str]) -> bool:
    """Apply a submitted form's change (which returns what it did) and flash that, or why
    the form or the change was refused; tell whether it was applied, so the view knows
    where to go next."""
    if not form.validate_on_submit():
        unreadable(form)
        return False
    try:
        done = change()
    except DomainError as error:
        refused(error)
        return False
    flash(done, "success")
    return True
