"""Configuration: defaults < instance/config.toml < HELPDESK_* environment < create_app()."""

from __future__ import annotations

import logging
import os
import re
import stat
import tomllib
from pathlib import Path

import pytest

from helpdesk import create_app
from helpdesk.config import DEFAULTS, PROJECT_ROOT, build_config

DB_PASSWORD = "pw-Quokka-7781"
SECRET = "secret-key-Wombat-5521"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without HELPDESK_* variables from the surrounding shell or CI."""
    for name in list(os.environ):
        if name.startswith("HELPDESK_"):
            monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """An empty instance folder."""
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


def write_config(instance: Path, text: str) -> None:
    """Write instance/config.toml."""
    (instance / "config.toml").write_text(text)


def test_defaults_apply_when_nothing_is_configured(instance: Path) -> None:
    config = build_config(instance)
    assert config["SITE_NAME"] == DEFAULTS["SITE_NAME"]
    assert config["MAX_UPLOAD_MB"] == DEFAULTS["MAX_UPLOAD_MB"]
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'helpdesk.sqlite3'}"
    assert config["ATTACHMENT_DIR"] == str(instance / "attachments")


def test_instance_file_overrides_defaults(instance: Path) -> None:
    write_config(instance, 'site_name = "Acme IT"\nMAX_UPLOAD_MB = 20\n')
    config = build_config(instance)
    assert config["SITE_NAME"] == "Acme IT"
    assert config["MAX_UPLOAD_MB"] == 20
    assert config["PAGE_SIZE"] == DEFAULTS["PAGE_SIZE"]


def test_environment_overrides_instance_file(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(instance, 'site_name = "Acme IT"\nmax_upload_mb = 20\n')
    monkeypatch.setenv("HELPDESK_SITE_NAME", "Acme Support")
    monkeypatch.setenv("HELPDESK_MAX_UPLOAD_MB", "50")
    config = build_config(instance)
    assert config["SITE_NAME"] == "Acme Support"
    assert config["MAX_UPLOAD_MB"] == 50  # parsed as a number, not the string "50"


def test_create_app_overrides_beat_the_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(instance, 'site_name = "Acme IT"\n')
    monkeypatch.setenv("HELPDESK_SITE_NAME", "Acme Support")
    app = create_app({"INSTANCE_PATH": str(instance), "SITE_NAME": "Test desk"})
    assert app.config["SITE_NAME"] == "Test desk"


def test_helpdesk_instance_chooses_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "elsewhere"
    chosen.mkdir()
    write_config(chosen, 'site_name = "Elsewhere IT"\n')
    monkeypatch.setenv("HELPDESK_INSTANCE", str(chosen))
    app = create_app()
    assert Path(app.instance_path) == chosen
    assert app.config["SITE_NAME"] == "Elsewhere IT"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{chosen / 'helpdesk.sqlite3'}"
    assert (chosen / "secret_key").exists()


def test_database_url_from_the_environment(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"postgresql+psycopg://helpdesk:{DB_PASSWORD}@db.example.org/helpdesk"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    assert build_config(instance)["SQLALCHEMY_DATABASE_URI"] == url


def test_secret_key_is_generated_once_and_kept_private(instance: Path) -> None:
    first = build_config(instance)["SECRET_KEY"]
    second = build_config(instance)["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert first == second
    assert len(first) >= 32
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_configured_secret_key_is_used_and_not_written(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_SECRET_KEY", SECRET)
    assert build_config(instance)["SECRET_KEY"] == SECRET
    assert not (instance / "secret_key").exists()


def test_secrets_never_reach_the_logs(
    instance: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # Nothing listens on port 1, so the sign-in below fails inside the database driver:
    # the error is logged with its traceback, and neither secret may appear in it.
    monkeypatch.setenv(
        "HELPDESK_DATABASE_URL", f"postgresql+psycopg://helpdesk:{DB_PASSWORD}@127.0.0.1:1/hd"
    )
    monkeypatch.setenv("HELPDESK_SECRET_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    app = create_app({"INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False})
    response = app.test_client().post(
        "/login", data={"email": "someone@example.org", "password": "not-relevant"}
    )
    assert response.status_code == 500
    assert "Exception on /login" in caplog.text
    captured = capfd.readouterr()
    for text in (caplog.text, captured.out, captured.err, response.get_data(as_text=True)):
        assert DB_PASSWORD not in text
        assert SECRET not in text


def test_example_config_documents_every_default() -> None:
    example = PROJECT_ROOT / "instance" / "config.example.toml"
    settings = "\n".join(
        line.removeprefix("# ")
        for line in example.read_text().splitlines()
        if re.match(r"# [a-z0-9_]+ = ", line)
    )
    keys = {key.upper() for key in tomllib.loads(settings)}
    assert set(DEFAULTS) <= keys
