"""Admin views (placeholder routes; being built out)."""

from flask import Blueprint

from helpdesk.web.roles import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def index() -> str:
    """Admin start page."""
    return "admin"
