"""The agent console blueprint, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("agent", __name__, url_prefix="/agent")
