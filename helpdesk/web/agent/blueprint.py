"""The agent console blueprint and the signed-in agent it serves, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from helpdesk.models import User

bp = Blueprint("agent", __name__, url_prefix="/agent")


def me() -> User:
    """The signed-in agent as a real model object, safe to hand to the service layer."""
    return current_user._get_current_object()
