"""Shared fixtures: app, client, runner, auth helper, and the databases under test."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from helpdesk import create_app
from helpdesk.core.settings import install_settings
from helpdesk.extensions import db
from helpdesk.models.base import frozen_time
from tests import pg
from tests.factories import PASSWORD

# Fixtures of the private mail servers (Dovecot, SMTP sink), usable by any test module.
pytest_plugins = ["tests.mail.dovecot", "tests.mail.smtp_sink"]

IN_CI = os.environ.get("CI") == "true"

# Hypothesis fails a property whose example takes over 200 ms, or whose data comes slowly.
# On a loaded machine (a CI runner, a pytest-xdist worker per core) that measures the
# machine, not the code: the properties are about answers, so time is left out of them.
hypothesis_settings.register_profile(
    "helpdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("helpdesk")


def make_app(instance: Path, database_url: str | None = None, **overrides: object) -> Flask:
    """Build an app on a private instance folder with a fresh schema."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://helpdesk.test",
        # Scrypt is deliberately slow; a cheap hash keeps hundreds of test users fast.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **overrides,
    }
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def reconfigure(app: Flask, **values: object) -> None:
    """Change config keys of a built app and rebuild its settings, which read them once."""
    app.config.update(values)
    install_settings(app)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app with an empty SQLite database, inside an app context."""
    app = make_app(tmp_path / "instance")
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        """Post the login form; returns the response."""
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        """Post the logout form."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Helper to sign the test client in as someone."""
    return AuthActions(client)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PostgresServer]:
    """A private PostgreSQL server for the whole session (skipped if absent, fatal in CI)."""
    try:
        server = pg.start_server()
    except pg.PostgresUnavailable as error:
        if IN_CI:
            pytest.fail(f"CI=true but the PostgreSQL tests cannot run: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL is not available: {error}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: pg.PostgresServer) -> str:
    """URL (postgresql+psycopg://...) of an empty database on the private server."""
    return pg_server.fresh_database("helpdesk_test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """Like `app`, once on SQLite and once on PostgreSQL, with a fresh schema each test."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    app = make_app(tmp_path / "instance", url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()  # PostgreSQL connections must not pile up across tests


@pytest.fixture
def pg_app(tmp_path: Path, pg_url: str) -> Iterator[Flask]:
    """An app on the private PostgreSQL server only, with a fresh schema (tests of several
    processes at once, which SQLite serializes)."""
    app = make_app(tmp_path / "instance", pg_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """Undo what Alembic's env.py does to logging (fileConfig) when a test runs migrations."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    known = logging.Logger.manager.loggerDict.values()
    loggers = [item for item in known if isinstance(item, logging.Logger)]
    saved = [(item, item.level, item.disabled, list(item.handlers)) for item in loggers]
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for item, level, disabled, handlers in saved:
        item.setLevel(level)
        item.disabled = disabled
        item.handlers[:] = handlers


class ManualClock:
    """The time utcnow() returns while the `clock` fixture runs: set it, advance it."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment

    def set(self, moment: datetime) -> None:
        """Stand at `moment` (naive UTC)."""
        self.now = moment

    def advance(self, **amount: float) -> datetime:
        """Move on by a timedelta's keywords (hours=2, days=3) and return the new time."""
        self.now += timedelta(**amount)
        return self.now


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """Freeze utcnow() at Monday 2026-11-30 09:00 UTC until the test sets or advances it."""
    frozen = ManualClock(datetime(2026, 11, 30, 9, 0))
    with frozen_time(lambda: frozen.now):
        yield frozen
