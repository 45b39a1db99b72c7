"""The `helpdesk` command: init, user create, demo and quickstart."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, inspect, select, text

from helpdesk import accounts, background, cli, create_app
from helpdesk.core.urls import external_url
from helpdesk.extensions import db
from helpdesk.models import Incident, User
from tests.conftest import reconfigure
from tests.factories import gen_user

PASSWORD = "s3cret-Sandpiper"


@pytest.fixture
def bare_app(tmp_path: Path) -> Flask:
    """An app on an instance folder that has never been initialised (no tables at all)."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "fresh"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


def invoke(runner: FlaskCliRunner, *args: str, stdin: str | None = None):
    """Run a `helpdesk` subcommand against the test app."""
    return runner.invoke(cli.main, list(args), input=stdin)


@pytest.mark.usefixtures("keep_logging")
def test_init_creates_the_schema_through_migrations(bare_app: Flask) -> None:
    result = invoke(bare_app.test_cli_runner(), "init")
    assert result.exit_code == 0, result.output
    assert "Instance ready" in result.output
    with bare_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert revision  # stamped by the migration, not made by create_all()
        assert Path(bare_app.config["ATTACHMENT_DIR"]).is_dir()
        drop = Path(bare_app.config["MAILDROP_DIR"])
        assert all((drop / sub).is_dir() for sub in ("new", "cur", "tmp"))


@pytest.mark.usefixtures("keep_logging")
def test_init_twice_is_harmless(bare_app: Flask) -> None:
    runner = bare_app.test_cli_runner()
    assert invoke(runner, "init").exit_code == 0
    assert invoke(runner, "init").exit_code == 0


def test_user_create_reads_the_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = invoke(
        runner,
        *("user", "create", "--email", "Dana@Example.org", "--name", "Dana Scully"),
        *("--role", "agent"),
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created agent dana@example.org" in result.output
    assert PASSWORD not in result.output
    user = accounts.find_by_email("dana@example.org")
    assert user is not None and user.role == "agent" and user.name == "Dana Scully"
    assert user.check_password(PASSWORD)


def test_user_create_has_no_password_option(app: Flask, runner: FlaskCliRunner) -> None:
    result = invoke(
        runner, "user", "create", "--email", "x@example.org", "--name", "X", "--password", "p"
    )
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert accounts.find_by_email("x@example.org") is None


def test_user_create_refuses_a_duplicate(app: Flask, runner: FlaskCliRunner) -> None:
    gen_user(email="taken@example.org")
    result = invoke(
        runner, "user", "create", "--email", "taken@example.org", "--name", "T", stdin=PASSWORD
    )
    assert result.exit_code == 1
    assert "An account for taken@example.org already exists." in result.output
    assert "Traceback" not in result.output
    count = db.session.scalar(select(func.count()).where(User.email == "taken@example.org"))
    assert count == 1


def test_user_create_refuses_a_short_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = invoke(
        runner, "user", "create", "--email", "s@example.org", "--name", "S", stdin="short\n"
    )
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert accounts.find_by_email("s@example.org") is None


def test_demo_asks_for_init_on_an_empty_database(bare_app: Flask) -> None:
    result = invoke(bare_app.test_cli_runner(), "demo")
    assert result.exit_code == 1
    assert "Run `helpdesk init` first" in result.output


@pytest.mark.usefixtures("keep_logging")
def test_quickstart_sets_up_loads_the_demo_and_serves(
    bare_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(cli, "run_server", lambda host, port: served.append((host, port)))
    monkeypatch.setattr(background, "COMMANDS", ())  # tests/test_quickstart.py runs them
    result = invoke(bare_app.test_cli_runner(), "quickstart", "--port", "5123")
    assert result.exit_code == 0, result.output
    assert "Demo data loaded: 60 incidents." in result.output
    assert "Open http://127.0.0.1:5123/ and sign in" in result.output
    assert "admin@demo.helpdesk" in result.output and "demo-password" in result.output
    assert served == [("127.0.0.1", 5123)]
    with bare_app.app_context():
        assert inspect(db.engine).has_table("alembic_version")
        assert db.session.scalar(select(func.count()).select_from(Incident)) == 60


@pytest.mark.parametrize(
    ("configured", "link"),
    [
        (None, "http://127.0.0.1:5123/login"),
        ("https://it.example.org", "https://it.example.org/login"),
    ],
)
def test_serve_points_mail_links_where_it_listens_unless_base_url_is_set(
    bare_app: Flask, monkeypatch: pytest.MonkeyPatch, configured: str | None, link: str
) -> None:
    reconfigure(bare_app, BASE_URL=configured)
    links: list[str] = []

    def serve(_host: str, _port: int) -> None:
        """Instead of serving: build a link as the mail code does."""
        links.append(external_url("auth.login"))

    monkeypatch.setattr(cli, "run_server", serve)
    result = invoke(bare_app.test_cli_runner(), "serve", "--port", "5123")
    assert result.exit_code == 0, result.output
    assert links == [link]


def test_without_base_url_or_a_server_links_use_the_default_address(bare_app: Flask) -> None:
    with bare_app.app_context():
        assert bare_app.config["BASE_URL"] is None
        assert external_url("auth.login") == "http://127.0.0.1:5000/login"
