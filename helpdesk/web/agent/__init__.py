"""The agent console: queues, the incident workbench and its actions."""

from helpdesk.web.agent import actions, originals, queues, workbench
from helpdesk.web.agent.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = ["actions", "bp", "originals", "queues", "workbench"]
