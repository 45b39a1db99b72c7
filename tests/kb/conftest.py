"""Fixtures for the knowledge base tests: people, and the demo articles."""

from __future__ import annotations

import pytest
from flask import Flask

from helpdesk.kb import demo_articles
from helpdesk.models import User
from tests.factories import gen_user


@pytest.fixture
def agent(app: Flask) -> User:
    """An agent who writes articles."""
    return gen_user("agent")


@pytest.fixture
def admin(app: Flask) -> User:
    """An admin, who may also archive and delete."""
    return gen_user("admin")


@pytest.fixture
def user(app: Flask) -> User:
    """An end user."""
    return gen_user("user")


@pytest.fixture
def demo(agent: User) -> int:
    """The ~40 demo articles, published (a draft and an archived one among them)."""
    return demo_articles.seed(agent)
