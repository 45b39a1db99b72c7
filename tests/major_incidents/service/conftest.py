"""The service functions write the database: their tests run on SQLite and on PostgreSQL
(`app` is the parametrized `db_app` here, as in tests/service)."""

import pytest
from flask import Flask


@pytest.fixture
def app(db_app: Flask) -> Flask:
    """The app on each database in turn."""
    return db_app
