"""The end-user portal: report, track, reply, confirm and rate."""

from helpdesk.web.portal.routes import bp

__all__ = ["bp"]
