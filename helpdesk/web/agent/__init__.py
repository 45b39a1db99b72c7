"""The agent console: queues, the incident workbench and its actions, the people on an
incident, and logging an incident for a caller."""

from helpdesk.web.agent import (
    actions,
    change_pages,
    changes,
    major_incident_actions,
    major_incidents,
    new_incident,
    notices,
    originals,
    participants,
    people,
    problem_pages,
    problems,
    queues,
    review_actions,
    reviews,
    workbench,
)
from helpdesk.web.agent.blueprint import bp

# Importing the view modules registers their routes on the blueprint.
__all__ = [
    "actions",
    "bp",
    "change_pages",
    "changes",
    "major_incident_actions",
    "major_incidents",
    "new_incident",
    "notices",
    "originals",
    "participants",
    "people",
    "problem_pages",
    "problems",
    "queues",
    "review_actions",
    "reviews",
    "workbench",
]
