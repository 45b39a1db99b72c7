"""The API's tests: people of each role, each with a token of each scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk import api_tokens
from helpdesk.models import User
from tests.factories import gen_user


@dataclass(frozen=True)
class Caller:
    """A person and the Authorization header of one of their tokens."""

    user: User
    headers: dict[str, str]


def token_for(user: User, scope: str = "write") -> dict[str, str]:
    """A fresh token of `user` with `scope`, as request headers."""
    _, token = api_tokens.create_from_command_line(user, f"{scope} token", scope)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def requester(app: Flask) -> Caller:
    user = gen_user("user")
    return Caller(user, token_for(user))


@pytest.fixture
def agent(app: Flask) -> Caller:
    user = gen_user("agent")
    return Caller(user, token_for(user))
