"""The admin blueprint and the signed-in admin it serves, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_login import current_user
from flask_wtf import FlaskForm

from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The status of a page shown again with a refused form; the page itself is a normal page.
UNPROCESSABLE = 422


def me() -> User:
    """The signed-in admin as a real model object, safe to hand to the service layer."""
    return current_user._get_current_object()


def refused(error: DomainError) -> None:
    """Drop whatever the refused change left in the session and tell the admin why."""
    db.session.rollback()
    flash(str(error), "error")


def unreadable(form: FlaskForm) -> None:
    """Tell the admin a submitted form could not be read (expired session, mangled field)."""
    flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
