"""The mail room blueprint; importing the view modules registers their routes."""

from helpdesk.web.mailroom import health, quarantine
from helpdesk.web.mailroom.blueprint import bp

__all__ = ["bp", "health", "quarantine"]
