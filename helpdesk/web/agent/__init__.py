"""The agent console: queues, the incident workbench and its actions."""

from helpdesk.web.agent.routes import bp

__all__ = ["bp"]
