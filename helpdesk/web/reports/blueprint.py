"""The reports blueprint: pages and downloads for managers (admins, agents with the report
role)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
