"""The service layer is the database layer's main user: its tests run on SQLite and on
PostgreSQL. Here `app` is the parametrized `db_app`, so each test runs once per database."""

import pytest
from flask import Flask


@pytest.fixture
def app(db_app: Flask) -> Flask:
    """The app on each database in turn."""
    return db_app
