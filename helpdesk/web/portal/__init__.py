"""The end-user portal: report, track, reply, confirm and rate."""

from helpdesk.web.portal import actions, routes
from helpdesk.web.portal.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = ["actions", "bp", "routes"]
