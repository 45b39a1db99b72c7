"""Administration: users, roles, teams and memberships, categories and services, SLA
calendars and policies."""

from helpdesk.web.admin import catalogues, overview, sla, teams, users
from helpdesk.web.admin.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = ["bp", "catalogues", "overview", "sla", "teams", "users"]
