"""The portal blueprint, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/my")
