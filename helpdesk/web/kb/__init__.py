"""The knowledge base pages: search and read (everyone), write (agents), insights (admins)."""

from helpdesk.web.kb import editor, insights, reader
from helpdesk.web.kb.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = ["bp", "editor", "insights", "reader"]
