"""Helpdesk: an email and self-service portal helpdesk for ITIL incident management."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from helpdesk.config import ASSETS_ROOT, build_config, instance_path_from_env

# How long an SQLite writer waits for its turn (see _enable_sqlite_pragmas).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; `config` overrides every other source (tests use it)."""
    overrides = dict(config or {})
    instance_path = Path(overrides.pop("INSTANCE_PATH", None) or instance_path_from_env())
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ASSETS_ROOT / "templates"),
        static_folder=str(ASSETS_ROOT / "static"),
    )
    app.config.update(build_config(instance_path, overrides))
    from helpdesk.core.settings import install_settings

    install_settings(app)  # a bad value stops here, with its key named
    _init_extensions(app)
    _init_logging(app)

    from helpdesk import notify, web, webhooks
    from helpdesk.automation import assignment_rules
    from helpdesk.incidents import escalation
    from helpdesk.notify import major_incidents as major_incident_mail
    from helpdesk.reports import keeper as report_facts
    from helpdesk.reviews import creation as review_creation
    from helpdesk.sla_policies import clocks

    # The clocks first: an acknowledgement promises what the incident's policy, chosen by
    # the clock on opening, says.
    clocks.subscribe_to_events()
    assignment_rules.subscribe_to_events()  # after the clocks: a rule's mail sees the policy
    escalation.subscribe_to_events()  # after the clocks, before notify: see escalation.py
    notify.subscribe_to_events()
    major_incident_mail.subscribe_to_events()  # public updates to their subscribers
    webhooks.subscribe_to_events()  # after notify: a payload sees what the others changed
    review_creation.subscribe_to_events()  # a resolution that deserves a review gets one
    report_facts.keep_current()  # every commit stores the measures of what it changed
    web.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    """Bind the extensions; importing models registers every table with the metadata."""
    from helpdesk import models  # noqa: F401
    from helpdesk.extensions import csrf, db, limiter, login_manager, migrate

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _enable_sqlite_pragmas(db.engine)


def _enable_sqlite_pragmas(engine: Any) -> None:
    """WAL lets the web server read while the gateway writes; foreign keys are off by default.

    SQLite has one writer at a time, and a waiting writer is not queued: it sleeps and
    retries, and may miss its turn while others take theirs. Gateways on one drop folder
    hold the lock for a whole batch each, so the wait allowed (set first, before anything
    that may need a lock) is generous: a writer waits its turn instead of failing with
    "database is locked".
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _init_logging(app: Flask) -> None:
    """Log at INFO with timestamps; our log lines never include passwords or secrets."""
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
