"""The front door: send each role to where its work is."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response:
    """Agents land on their queue, users on their incidents, visitors on the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_agent:
        return redirect(url_for("agent.queue", name="mine"))
    return redirect(url_for("portal.index"))


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe for load balancers."""
    return {"status": "ok"}
