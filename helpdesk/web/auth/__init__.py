"""Signing in and out, registration and password links."""

from helpdesk.web.auth.routes import bp

__all__ = ["bp"]
