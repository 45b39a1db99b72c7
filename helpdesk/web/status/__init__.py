"""The public status page (no sign-in): current and recently resolved major incidents per
affected service with their public updates, one major incident's page with "I'm affected
too" and "Stop updates", and the banner every page shows while one is going on."""

from helpdesk.web.status.routes import bp

__all__ = ["bp"]
