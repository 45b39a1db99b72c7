"""Configuration: built-in defaults < instance/config.toml < HELPDESK_* environment variables.

Settings are plain upper-case keys on the Flask config. Environment values are parsed as
TOML scalars when they look like one (numbers, booleans), so `HELPDESK_MAX_UPLOAD_MB=50`
becomes an int while `HELPDESK_SECRET_KEY=abc` stays a string. The keys domain code reads
are checked and typed once, in helpdesk/core/settings.py.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A checkout (or an editable install) has pyproject.toml beside the package; an installed
# wheel does not, and carries the templates and static files inside the package instead.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
ASSETS_ROOT = PROJECT_ROOT if IN_CHECKOUT else Path(__file__).resolve().parent
ENV_PREFIX = "HELPDESK_"
# Where links in mail point when BASE_URL is not set and no server of ours says where it
# listens (`serve` and `quickstart` set BASE_URL for themselves and their children).
DEFAULT_BASE_URL = "http://127.0.0.1:5000"

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "Helpdesk",
    "BASE_URL": None,  # the public address; None -> where `serve` listens, or the default
    "REFERENCE_PREFIX": "INC",
    "SUPPORT_ADDRESS": "support@helpdesk.localhost",
    "DATABASE_URL": None,  # None -> SQLite file in the instance folder
    "OUTBOX_TRANSPORT": "file",  # "file" writes .eml files to instance/outbox
    "MAX_UPLOAD_MB": 10,
    "MAX_ATTACHMENTS_PER_MESSAGE": 10,
    "REOPEN_WINDOW_DAYS": 14,
    "PASSWORD_RESET_MAX_AGE_SECONDS": 3600,
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Requests per token (or, without one, per client address) to the REST API.
    "API_RATE_LIMIT": "600 per minute",
    # Monitoring alerts per token: a flood of one alert is thousands a minute, all counted.
    "ALERTS_RATE_LIMIT": "12000 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "PAGE_SIZE": 25,
    "PASSWORD_HASH_METHOD": "scrypt",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # Inbound mail: "maildir" reads instance/maildrop (embedded), "imap" polls a server.
    "INBOUND_TRANSPORT": "maildir",
    "IMAP_HOST": "127.0.0.1",
    "IMAP_PORT": 993,
    "IMAP_SECURITY": "ssl",  # ssl (implicit TLS), starttls, or plain (loopback tests only)
    "IMAP_USERNAME": "",
    "IMAP_PASSWORD": "",
    "IMAP_AUTH": "password",  # password or xoauth2
    "IMAP_OAUTH2_TOKEN_COMMAND": "",  # prints an access token (XOAUTH2)
    "IMAP_OAUTH2_TOKEN_FILE": "",  # or a file holding one
    "IMAP_FOLDER": "INBOX",
    "IMAP_PROCESSED_FOLDER": "Processed",
    "IMAP_QUARANTINE_FOLDER": "Quarantine",
    "IMAP_AFTER_PROCESSING": "move",  # move to IMAP_PROCESSED_FOLDER, or delete (flag+expunge)
    "IMAP_BATCH_SIZE": 25,
    "IMAP_POLL_SECONDS": 60,  # when the server has no IDLE
    "IMAP_IDLE_SECONDS": 540,  # re-issue IDLE before servers drop it (RFC 2177: 29 min max)
    "IMAP_TIMEOUT_SECONDS": 60,
    "IMAP_CA_FILE": "",  # a private CA to trust for the IMAP server's certificate
    # Outbound mail: OUTBOX_TRANSPORT "file" (embedded) or "smtp".
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 587,
    "SMTP_SECURITY": "starttls",  # starttls, ssl, or plain (loopback tests only)
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_TIMEOUT_SECONDS": 30,
    "SMTP_CA_FILE": "",  # a private CA to trust for the SMTP server's certificate
    "SMTP_ENVELOPE_FROM": "",  # bounce address (MAIL FROM); default: SUPPORT_ADDRESS
    "OUTBOX_RETRY_SECONDS": 60,  # first retry; doubles each attempt
    "OUTBOX_GIVE_UP_HOURS": 48,
    # Mail handling policy.
    "HELPDESK_ADDRESSES": [],  # other addresses that deliver to this helpdesk (loop guard)
    "CC_BECOME_PARTICIPANTS": True,
    "AUTO_REPLIES_PER_SENDER_PER_HOUR": 5,
    "BOUNCE_SUPPRESS_DAYS": 7,
    "ALLOW_REMOTE_IMAGES": False,
    "MAIL_ATTACHMENT_BUDGET_MB": 20,  # beyond this, a reply's files go out as download links
    "MAIL_LINK_MAX_AGE_DAYS": 30,  # one-click confirm / still broken / rate links
    # Authentication-Results authserv-ids whose SPF/DKIM/DMARC verdicts an agent's mail
    # must pass to count as the agent's; empty: not checked, the From address is trusted.
    "MAIL_TRUSTED_AUTHSERV_IDS": [],
    # How long saving an article waits for the search index lock before leaving the
    # update queued for the next writer or search (the save itself never fails on it).
    "KB_INDEX_LOCK_SECONDS": 1.0,
    # How often `helpdesk worker` runs its jobs (SLA warnings and breaches, automation).
    "WORKER_INTERVAL_SECONDS": 60,
    # The worker's automation, in calendar days (0: that step is off): remind an incident
    # on hold awaiting its requester, resolve it that long after the reminder, close a
    # resolved one the requester neither confirmed nor turned down.
    "REMIND_AWAITING_USER_AFTER_DAYS": 3,
    "RESOLVE_AWAITING_USER_AFTER_DAYS": 4,
    "CLOSE_RESOLVED_AFTER_DAYS": 5,
    # Webhooks out: may a subscription's URL lead to a private, loopback, link-local or
    # reserved address (your own network)? Off: only public destinations are posted to.
    "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": False,
    # Problem management: this many incidents on one service or category opened within
    # this many hours make their incident pages suggest opening a problem.
    "PROBLEM_HINT_INCIDENTS": 5,
    "PROBLEM_HINT_WINDOW_HOURS": 2,
    # Post-incident reviews: besides every major incident, the priorities whose incidents
    # get a review when resolved (e.g. [1, 2]); empty: major incidents only.
    "REVIEWS_FOR_PRIORITIES": [],
    # Reports: the time zone whose days a report's range counts (an IANA name).
    "REPORTS_TIME_ZONE": "UTC",
    # Monitoring alerts: the "impact/urgency" of an incident opened by an alert, by the
    # alert's severity (one the map does not name gets medium/medium; the alert's own
    # `impact` and `urgency` labels win).
    "ALERT_SEVERITY_MAP": {
        "critical": "high/high",
        "error": "medium/high",
        "warning": "medium/medium",
        "info": "low/low",
    },
}


def instance_path_from_env() -> Path:
    """Return the instance folder chosen by HELPDESK_INSTANCE, else `instance/` in the
    checkout, or in the current folder when installed from a wheel (never site-packages)."""
    chosen = os.environ.get(ENV_PREFIX + "INSTANCE")
    if chosen:
        return Path(chosen).resolve()
    return (PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / "instance"


def parse_env_value(raw: str) -> Any:
    """Parse an environment value as a TOML scalar when it is one, else keep the string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def read_toml_file(path: Path) -> dict[str, Any]:
    """Read instance/config.toml; keys are upper-cased so `site_name` and `SITE_NAME` agree."""
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {key.upper(): value for key, value in data.items()}


def read_env(environ: dict[str, str]) -> dict[str, Any]:
    """Collect HELPDESK_* variables (except HELPDESK_INSTANCE) as config keys."""
    settings = {}
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX) and name != ENV_PREFIX + "INSTANCE":
            settings[name.removeprefix(ENV_PREFIX)] = parse_env_value(raw)
    return settings


def load_secret_key(instance_path: Path) -> str:
    """Return the instance's persistent secret, creating it on first use.

    A generated secret keeps sessions and reset links valid across restarts without the
    operator having to invent one; it lives in the instance folder, never in the repo.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, the instance file, the environment and explicit overrides, in that order."""
    config = dict(DEFAULTS)
    config.update(read_toml_file(instance_path / "config.toml"))
    config.update(read_env(dict(os.environ)))
    config.update(overrides or {})
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_secret_key(instance_path)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'helpdesk.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config.setdefault("ATTACHMENT_DIR", str(instance_path / "attachments"))
    config.setdefault("OUTBOX_DIR", str(instance_path / "outbox"))
    config.setdefault("SEARCH_INDEX_DIR", str(instance_path / "search-index"))
    config.setdefault("MAILDROP_DIR", str(instance_path / "maildrop"))
    return config
