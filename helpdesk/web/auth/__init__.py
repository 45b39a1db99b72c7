"""Signing in and out, registration and password links, and a person's API tokens."""

from helpdesk.web.auth import tokens
from helpdesk.web.auth.routes import bp

# Importing the tokens module registers its routes on the blueprint.
__all__ = ["bp", "tokens"]
