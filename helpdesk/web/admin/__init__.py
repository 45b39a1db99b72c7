"""Administration: users, roles, teams and memberships, categories and services."""

from helpdesk.web.admin.routes import bp

__all__ = ["bp"]
