"""Portal views (placeholder routes; being built out)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("portal", __name__, url_prefix="/my")


@bp.get("/incidents")
@login_required
def index() -> str:
    """List my incidents."""
    return "my incidents"


@bp.get("/incidents/new")
@login_required
def new_incident() -> str:
    """Report an incident."""
    return "new"


@bp.get("/incidents/<reference>")
@login_required
def incident(reference: str) -> str:
    """One incident."""
    return reference
