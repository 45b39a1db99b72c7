"""Domain errors: what the service layer raises when a request breaks a rule.

Each carries a sentence meant for the person who asked; the web layer flashes it as is.
"""


class DomainError(ValueError):
    """A change the helpdesk refuses, with a message for the user."""


class InvalidInput(DomainError):
    """A field is missing, too long, or names something that does not exist."""


class NotAllowed(DomainError):
    """The actor may not make this change (wrong role, or not their incident)."""


class NotFound(DomainError):
    """The incident, user, team or catalogue entry does not exist."""
