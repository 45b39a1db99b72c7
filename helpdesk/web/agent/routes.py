"""Agent views (placeholder routes; being built out)."""

from flask import Blueprint

from helpdesk.web.roles import agent_required

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.get("/queues/<name>")
@agent_required
def queue(name: str) -> str:
    """A queue."""
    return name


@bp.get("/incidents/<reference>")
@agent_required
def incident(reference: str) -> str:
    """One incident."""
    return reference
