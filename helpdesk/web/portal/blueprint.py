"""The portal blueprint and the signed-in user it serves, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from helpdesk.models import User

bp = Blueprint("portal", __name__, url_prefix="/my")


def me() -> User:
    """The signed-in user as a real model object, safe to hand to the service layer."""
    return current_user._get_current_object()
