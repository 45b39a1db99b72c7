"""The admin start page: how many people, teams and catalogue entries there are."""

from __future__ import annotations

from flask import render_template

from helpdesk import directory
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.roles import admin_required


@bp.get("/")
@admin_required
def index() -> str:
    """Show the directory at a glance, with links to each area."""
    return render_template("admin/index.html", summary=directory.summary())
