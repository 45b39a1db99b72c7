"""The typed settings: every kind of value is parsed, a bad one is refused at startup with
its key named, and domain code reads the settings, never the config by string key."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import timedelta
from pathlib import Path

import pytest

from helpdesk import create_app
from helpdesk.config import DEFAULTS, PROJECT_ROOT
from helpdesk.core.settings import MB, LimitSettings, Settings, SettingsError, settings
from tests.conftest import reconfigure

FOLDERS = {
    "ATTACHMENT_DIR": "/srv/a",
    "OUTBOX_DIR": "/srv/o",
    "SEARCH_INDEX_DIR": "/srv/s",
    "MAILDROP_DIR": "/srv/m",
}


def built(**values: object) -> Settings:
    """Settings from the defaults with some keys changed."""
    return Settings.from_config({**DEFAULTS, **FOLDERS, **values})


def test_the_defaults_parse_with_their_derived_values() -> None:
    made = built()
    assert made.limits.max_upload_bytes == 10 * MB
    assert made.limits.max_request_bytes == 10 * 10 * MB + MB
    assert made.limits.mail_attachment_budget_bytes == 20 * MB
    assert made.reopen_window == timedelta(days=14)
    assert made.mail.bounce_suppress == timedelta(days=7)
    assert made.mail.outbox_retry == timedelta(seconds=60)
    assert made.mail.outbox_give_up == timedelta(hours=48)
    assert made.links.mail_link_max_age_seconds == 30 * 86_400
    assert made.site.link_base == "http://127.0.0.1:5000"
    assert made.site.own_addresses == ("support@helpdesk.localhost",)
    assert made.folders.maildrop == Path("/srv/m")
    assert made.mail.notifications is True and made.mail.uses_imap is False


def test_values_of_each_kind_are_parsed() -> None:
    made = built(
        MAX_UPLOAD_MB="3",
        KB_INDEX_LOCK_SECONDS="0.5",
        OUTBOX_TRANSPORT=" SMTP ",
        INBOUND_TRANSPORT="IMAP",
        BASE_URL="https://it.example.org/desk",
        HELPDESK_ADDRESSES=["it@example.org"],
        MAIL_TRUSTED_AUTHSERV_IDS=("mx.example.org",),
        CC_BECOME_PARTICIPANTS=False,
        NOTIFICATIONS=False,
        REFERENCE_PREFIX=" IT ",
    )
    assert made.limits.max_upload_bytes == 3 * MB
    assert made.kb_index_lock_seconds == 0.5
    assert (made.mail.outbox_transport, made.mail.inbound_transport) == ("smtp", "imap")
    assert made.site.link_base == "https://it.example.org/desk"
    assert made.site.own_addresses == ("support@helpdesk.localhost", "it@example.org")
    assert made.mail.trusted_authserv_ids == ("mx.example.org",)
    assert made.mail.cc_become_participants is False and made.mail.notifications is False
    assert made.site.reference_prefix == "IT"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("MAX_UPLOAD_MB", "ten", "MAX_UPLOAD_MB must be a whole number (got 'ten')"),
        ("MAX_UPLOAD_MB", -5, "MAX_UPLOAD_MB must be at least 1 (got -5)"),
        ("MAX_UPLOAD_MB", 2.5, "MAX_UPLOAD_MB must be a whole number (got 2.5)"),
        ("MAX_UPLOAD_MB", True, "MAX_UPLOAD_MB must be a whole number (got True)"),
        ("MAX_ATTACHMENTS_PER_MESSAGE", -1, "MAX_ATTACHMENTS_PER_MESSAGE must be at least 0"),
        ("PAGE_SIZE", 0, "PAGE_SIZE must be at least 1 (got 0)"),
        ("REOPEN_WINDOW_DAYS", "two weeks", "REOPEN_WINDOW_DAYS must be a whole number"),
        ("KB_INDEX_LOCK_SECONDS", "soon", "KB_INDEX_LOCK_SECONDS must be a number (got 'soon')"),
        ("KB_INDEX_LOCK_SECONDS", "nan", "KB_INDEX_LOCK_SECONDS must be a number"),
        ("IMAP_POLL_SECONDS", 0, "IMAP_POLL_SECONDS must be at least 1 (got 0)"),
        ("OUTBOX_TRANSPORT", "smpt", "OUTBOX_TRANSPORT must be one of file, smtp (got 'smpt')"),
        ("INBOUND_TRANSPORT", "pop3", "INBOUND_TRANSPORT must be one of maildir, imap"),
        ("CC_BECOME_PARTICIPANTS", "yes", "CC_BECOME_PARTICIPANTS must be true or false"),
        ("NOTIFICATIONS", 0, "NOTIFICATIONS must be true or false (got 0)"),
        ("HELPDESK_ADDRESSES", "it@example.org", "HELPDESK_ADDRESSES must be a list of strings"),
        ("MAIL_TRUSTED_AUTHSERV_IDS", [1], "MAIL_TRUSTED_AUTHSERV_IDS must be a list of strings"),
        ("BASE_URL", "it.example.org", "BASE_URL must be an http:// or https:// address"),
        ("SITE_NAME", " ", "SITE_NAME must be a non-empty string (got ' ')"),
        ("SUPPORT_ADDRESS", None, "SUPPORT_ADDRESS must be a non-empty string (got None)"),
        ("PASSWORD_RESET_MAX_AGE_SECONDS", 0, "PASSWORD_RESET_MAX_AGE_SECONDS must be at least 1"),
        ("MAILDROP_DIR", "", "MAILDROP_DIR must be a non-empty string"),
    ],
)
def test_a_bad_value_is_refused_with_its_key_named(key: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        built(**{key: value})


def test_a_missing_key_is_named() -> None:
    config = {**DEFAULTS, **FOLDERS}
    del config["REOPEN_WINDOW_DAYS"]
    with pytest.raises(SettingsError, match="REOPEN_WINDOW_DAYS is not set"):
        Settings.from_config(config)


def test_settings_are_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        built().limits.max_upload_mb = 1  # type: ignore[misc]


def test_a_group_reads_only_its_own_keys() -> None:
    assert LimitSettings.from_config({**DEFAULTS, "MAX_UPLOAD_MB": 2}).max_upload_bytes == 2 * MB


def test_create_app_refuses_a_bad_value(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MAX_UPLOAD_MB must be a whole number"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MAX_UPLOAD_MB": "ten"})


def test_the_app_keeps_its_settings_and_derives_the_request_limit(app) -> None:
    reconfigure(app, MAX_UPLOAD_MB=2, MAX_ATTACHMENTS_PER_MESSAGE=3)
    assert settings().limits.max_upload_bytes == 2 * MB
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 2 * MB + MB


def test_init_with_a_bad_value_says_which_and_exits_non_zero(tmp_path: Path) -> None:
    env = {**os.environ, "HELPDESK_INSTANCE": str(tmp_path), "HELPDESK_MAX_UPLOAD_MB": "ten"}
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk", "init"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "MAX_UPLOAD_MB must be a whole number (got 'ten')" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


# Keys that stay plain Flask config: Flask's and its extensions' own.
FLASK_KEYS = ("SECRET_KEY", "SQLALCHEMY_", "SESSION_", "REMEMBER_COOKIE_", "WTF_", "RATELIMIT_")
# Where a raw key is read on purpose: the config is built in config.py, the mail servers'
# connection keys are typed by the gateway's ImapSettings and SmtpSettings, the sign-in and
# API rate limits are the web's alone (a Flask-Limiter string each), the models sit below
# the settings (the hash method), and the alerts' severity map is a table read and checked
# by its own module (at startup and on each alert).
OWN_READERS = {
    "helpdesk/config.py": ("DATABASE_URL",),
    "mail_gateway/imap_settings.py": ("IMAP_",),
    "mail_gateway/oauth.py": ("IMAP_OAUTH2_",),
    "mail_gateway/outbox.py": ("SMTP_",),
    "helpdesk/web/auth/routes.py": ("LOGIN_RATE_LIMIT",),
    "helpdesk/api/__init__.py": ("API_RATE_LIMIT",),
    "helpdesk/api/alerts.py": ("ALERTS_RATE_LIMIT",),
    "helpdesk/models/user.py": ("PASSWORD_HASH_METHOD",),
    "helpdesk/alerts/mapping.py": ("ALERT_SEVERITY_MAP",),
}


def _is_config(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "config") or (
        isinstance(node, ast.Attribute) and node.attr == "config"
    )


def config_keys_read(source: str) -> list[tuple[int, str]]:
    """(line, key) of every `config["KEY"]` or `config.get("KEY")` read, on any object's
    `.config` or a name `config`, in f-strings too."""
    found = []
    for node in ast.walk(ast.parse(source)):
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice if _is_config(node.value) else None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            key = node.args[0] if node.func.attr == "get" and _is_config(node.func.value) else None
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append((node.lineno, key.value))
    return found


def test_the_scan_finds_every_spelling_of_a_config_read() -> None:
    source = (
        'a = current_app.config["A"]\n'
        'b = config.get("B", 1)\n'
        "c = f\"{self.config['C']}\"\n"
        'app.config["D"] = 1\n'
    )
    assert config_keys_read(source) == [(1, "A"), (2, "B"), (3, "C")]


def test_domain_code_reads_the_settings_not_config_keys() -> None:
    stray = []
    for package in ("helpdesk", "mail_gateway"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            name = path.relative_to(PROJECT_ROOT).as_posix()
            if "migrations" in path.parts:
                continue
            allowed = FLASK_KEYS + OWN_READERS.get(name, ())
            for line, key in config_keys_read(path.read_text()):
                if not key.startswith(allowed):
                    stray.append(f"{name}:{line} reads config[{key!r}]; use settings()")
    assert stray == []
