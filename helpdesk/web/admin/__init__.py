"""Administration: users, roles, teams and memberships, categories and services, SLA
calendars and policies, assignment rules, webhooks, the monitoring payloads received."""

from helpdesk.web.admin import (
    assignment_rules,
    catalogues,
    overview,
    received_alerts,
    sla,
    teams,
    users,
    webhooks,
)
from helpdesk.web.admin.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = [
    "assignment_rules",
    "bp",
    "catalogues",
    "overview",
    "received_alerts",
    "sla",
    "teams",
    "users",
    "webhooks",
]
