"""The knowledge base pages: search and read (everyone), write (agents), insights (admins)."""

from helpdesk.web.kb import agent_tools, deflection, editor, insights, reader
from helpdesk.web.kb.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = ["agent_tools", "bp", "deflection", "editor", "insights", "reader"]
