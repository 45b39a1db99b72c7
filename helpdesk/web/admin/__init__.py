"""Administration: users, roles, teams and memberships, categories and services."""

from helpdesk.web.admin import catalogues, overview, teams, users
from helpdesk.web.admin.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = ["bp", "catalogues", "overview", "teams", "users"]
