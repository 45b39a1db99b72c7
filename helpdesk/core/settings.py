"""The settings domain code reads: one frozen, typed object built from the app config when
the app is created, and reached with `settings()`.

The config (helpdesk/config.py) merges defaults, the instance file and the environment into
plain keys. Here every key the services, read models and mail gateway use is checked and
parsed once, so a bad value stops the app at startup with the key named, instead of failing
(or quietly misbehaving) on the first request that reads it; and the values derived from
them (byte limits, time windows, the address links point to) are worked out in one place.
Flask's and its extensions' own keys (SECRET_KEY, SQLALCHEMY_*, SESSION_*, WTF_*,
RATELIMIT_*) stay plain Flask config, and the mail servers' connection keys (IMAP_*, SMTP_*)
are checked by the gateway's ImapSettings and SmtpSettings.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask, current_app

from helpdesk.config import DEFAULT_BASE_URL, DEFAULTS
from helpdesk.core.zones import time_zones

EXTENSION_KEY = "helpdesk.settings"
MB = 1024 * 1024
# Room for the form fields beside a full set of maximum-size files in one request.
FORM_OVERHEAD_BYTES = MB
INBOUND_TRANSPORTS = ("maildir", "imap")
OUTBOX_TRANSPORTS = ("file", "smtp")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


class SettingsError(ValueError):
    """A config value the helpdesk cannot use; the message names the key and the value."""


def _wrong(key: str, wanted: str, value: object) -> SettingsError:
    """The one wording of a refusal: the key, what it must be, and what it was."""
    return SettingsError(f"{key} must be {wanted} (got {value!r})")


class _Reader:
    """Reads a config mapping key by key, each with the check its kind of value needs."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def _raw(self, key: str) -> Any:
        """The value as configured; every key has a default, so a missing one was removed."""
        if key not in self.config:
            raise SettingsError(f"{key} is not set")
        return self.config[key]

    def whole(self, key: str, minimum: int) -> int:
        """A whole number; a string of digits counts (a value set in code, or quoted)."""
        value = self._raw(key)
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(key, "a whole number", value)
        if value < minimum:
            raise _wrong(key, f"at least {minimum}", value)
        return value

    def number(self, key: str, minimum: float) -> float:
        """A finite number, whole or not."""
        value = self._raw(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong(key, "a number", value)
        if not math.isfinite(value):
            raise _wrong(key, "a number", value)
        if value < minimum:
            raise _wrong(key, f"at least {minimum:g}", value)
        return float(value)

    def flag(self, key: str, default: bool | None = None) -> bool:
        """true or false (TOML booleans; HELPDESK_* variables are read as TOML)."""
        value = self._raw(key) if default is None else self.config.get(key, default)
        if not isinstance(value, bool):
            raise _wrong(key, "true or false", value)
        return value

    def text(self, key: str) -> str:
        """A string with something in it."""
        value = self._raw(key)
        if not isinstance(value, str) or not value.strip():
            raise _wrong(key, "a non-empty string", value)
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        """One of a few words, in any case."""
        value = self._raw(key)
        if not isinstance(value, str) or value.strip().lower() not in options:
            raise _wrong(key, "one of " + ", ".join(options), value)
        return value.strip().lower()

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings, e.g. ["it@example.org"] (TOML arrays are read as lists)."""
        value = self._raw(key)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise _wrong(key, 'a list of strings, e.g. ["one", "two"]', value)
        return tuple(value)

    def url(self, key: str) -> str | None:
        """An http(s) address, or unset (None or empty)."""
        value = self._raw(key)
        if value is None or value == "":
            return None
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise _wrong(key, "an http:// or https:// address", value)
        return value

    def zone(self, key: str) -> str:
        """An IANA time zone name this machine's zone database knows, e.g. Europe/Berlin."""
        value = self._raw(key)
        if not isinstance(value, str) or value not in time_zones():
            raise _wrong(key, "a time zone name such as Europe/Berlin", value)
        return value

    def path(self, key: str) -> Path:
        """A folder; create_app fills these in from the instance folder."""
        return Path(self.text(key))


@dataclass(frozen=True)
class SiteSettings:
    """Who the helpdesk is, and where it is published."""

    name: str
    base_url: str | None  # as configured; unset, `serve` sets it to where it listens
    reference_prefix: str
    support_address: str
    other_addresses: tuple[str, ...]  # HELPDESK_ADDRESSES: more addresses that reach us
    page_size: int
    link_base: str = field(init=False)  # where links in mail point
    own_addresses: tuple[str, ...] = field(init=False)  # our mail, for the loop guard

    def __post_init__(self) -> None:
        """Derive once what several callers would otherwise each work out."""
        object.__setattr__(self, "link_base", self.base_url or DEFAULT_BASE_URL)
        object.__setattr__(self, "own_addresses", (self.support_address, *self.other_addresses))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SiteSettings:
        """Read and check the SITE_NAME, BASE_URL, address and paging keys."""
        read = _Reader(config)
        return cls(
            name=read.text("SITE_NAME"),
            base_url=read.url("BASE_URL"),
            reference_prefix=read.text("REFERENCE_PREFIX").strip(),
            support_address=read.text("SUPPORT_ADDRESS"),
            other_addresses=read.texts("HELPDESK_ADDRESSES"),
            page_size=read.whole("PAGE_SIZE", 1),
        )


@dataclass(frozen=True)
class LimitSettings:
    """How much one message may carry, in the units the config speaks and in bytes."""

    max_upload_mb: int
    max_attachments: int
    mail_attachment_budget_mb: int  # beyond this, a reply's files go out as links
    max_upload_bytes: int = field(init=False)
    max_request_bytes: int = field(init=False)  # Flask's MAX_CONTENT_LENGTH
    mail_attachment_budget_bytes: int = field(init=False)

    def __post_init__(self) -> None:
        """Work the byte limits out once (the upload limit was computed in seven places)."""
        per_file = self.max_upload_mb * MB
        object.__setattr__(self, "max_upload_bytes", per_file)
        object.__setattr__(
            self, "max_request_bytes", per_file * self.max_attachments + FORM_OVERHEAD_BYTES
        )
        object.__setattr__(
            self, "mail_attachment_budget_bytes", self.mail_attachment_budget_mb * MB
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LimitSettings:
        """Read and check MAX_UPLOAD_MB, MAX_ATTACHMENTS_PER_MESSAGE and the mail budget."""
        read = _Reader(config)
        return cls(
            max_upload_mb=read.whole("MAX_UPLOAD_MB", 1),
            max_attachments=read.whole("MAX_ATTACHMENTS_PER_MESSAGE", 0),
            mail_attachment_budget_mb=read.whole("MAIL_ATTACHMENT_BUDGET_MB", 0),
        )


@dataclass(frozen=True)
class MailSettings:
    """How mail comes in and goes out, and the mail-handling policy."""

    inbound_transport: str  # maildir or imap
    outbox_transport: str  # file or smtp
    notifications: bool  # NOTIFICATIONS (not among the defaults): false sends no mail
    cc_become_participants: bool
    auto_replies_per_sender_per_hour: int
    bounce_suppress: timedelta
    trusted_authserv_ids: tuple[str, ...]
    batch_size: int  # mails per transaction, from IMAP or from files
    poll_seconds: float  # IMAP without IDLE
    idle_seconds: float
    outbox_retry: timedelta  # the first retry; doubles each attempt
    outbox_give_up: timedelta

    @property
    def uses_imap(self) -> bool:
        """True when mail comes in over IMAP, False for the Maildir drop folder."""
        return self.inbound_transport == "imap"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read and check the transports and the mail policy keys."""
        read = _Reader(config)
        return cls(
            inbound_transport=read.choice("INBOUND_TRANSPORT", INBOUND_TRANSPORTS),
            outbox_transport=read.choice("OUTBOX_TRANSPORT", OUTBOX_TRANSPORTS),
            notifications=read.flag("NOTIFICATIONS", default=True),
            cc_become_participants=read.flag("CC_BECOME_PARTICIPANTS"),
            auto_replies_per_sender_per_hour=read.whole("AUTO_REPLIES_PER_SENDER_PER_HOUR", 0),
            bounce_suppress=timedelta(days=read.whole("BOUNCE_SUPPRESS_DAYS", 0)),
            trusted_authserv_ids=read.texts("MAIL_TRUSTED_AUTHSERV_IDS"),
            batch_size=read.whole("IMAP_BATCH_SIZE", 1),
            poll_seconds=read.number("IMAP_POLL_SECONDS", 1),
            idle_seconds=read.number("IMAP_IDLE_SECONDS", 1),
            outbox_retry=timedelta(seconds=read.number("OUTBOX_RETRY_SECONDS", 1)),
            outbox_give_up=timedelta(hours=read.number("OUTBOX_GIVE_UP_HOURS", 0)),
        )


@dataclass(frozen=True)
class LinkSettings:
    """How long signed links work: password links and one-click links in mail."""

    password_link_max_age_seconds: int
    mail_link_max_age_days: int
    mail_link_max_age_seconds: int = field(init=False)

    def __post_init__(self) -> None:
        """The signer counts seconds; people are told days."""
        object.__setattr__(self, "mail_link_max_age_seconds", self.mail_link_max_age_days * 86_400)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LinkSettings:
        """Read and check the two link lifetimes."""
        read = _Reader(config)
        return cls(
            password_link_max_age_seconds=read.whole("PASSWORD_RESET_MAX_AGE_SECONDS", 1),
            mail_link_max_age_days=read.whole("MAIL_LINK_MAX_AGE_DAYS", 1),
        )


@dataclass(frozen=True)
class FolderSettings:
    """Where the instance keeps its files (create_app puts them in the instance folder)."""

    attachments: Path
    outbox: Path
    search_index: Path
    maildrop: Path

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FolderSettings:
        """Read the *_DIR keys."""
        read = _Reader(config)
        return cls(
            attachments=read.path("ATTACHMENT_DIR"),
            outbox=read.path("OUTBOX_DIR"),
            search_index=read.path("SEARCH_INDEX_DIR"),
            maildrop=read.path("MAILDROP_DIR"),
        )


# The automation's keys and their defaults, kept beside their reader (a config that names
# none of them gets these); 0 turns a step off.
@dataclass(frozen=True)
class AutomationSettings:
    """What the worker does by itself, in calendar days (wall-clock time, weekends and
    holidays included: a requester's silence is not measured in the desk's working hours).
    None: the step is off (configured as 0)."""

    remind_awaiting_user_after: timedelta | None  # on hold awaiting the user this long
    resolve_awaiting_user_after: timedelta | None  # counted from the reminder
    close_resolved_after: timedelta | None  # resolved this long without a reply

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AutomationSettings:
        """Read and check the three day counts (whole numbers, 0 or more)."""
        read = _Reader(config)

        def days(key: str) -> timedelta | None:
            count = read.whole(key, 0)
            return timedelta(days=count) if count else None

        return cls(
            remind_awaiting_user_after=days("REMIND_AWAITING_USER_AFTER_DAYS"),
            resolve_awaiting_user_after=days("RESOLVE_AWAITING_USER_AFTER_DAYS"),
            close_resolved_after=days("CLOSE_RESOLVED_AFTER_DAYS"),
        )


@dataclass(frozen=True)
class WebhookSettings:
    """Webhooks out: where deliveries may go."""

    allow_private_destinations: bool  # private, loopback, link-local, reserved addresses

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookSettings:
        """Read and check WEBHOOK_ALLOW_PRIVATE_DESTINATIONS."""
        read = _Reader(config)
        return cls(allow_private_destinations=read.flag("WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"))


@dataclass(frozen=True)
class ReviewSettings:
    """Post-incident reviews: every major incident gets one when resolved, and so does an
    incident of a priority listed here."""

    for_priorities: tuple[int, ...]  # e.g. (1, 2); empty: major incidents only

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReviewSettings:
        """Read and check REVIEWS_FOR_PRIORITIES (a list of priorities, 1 to 5)."""
        key = "REVIEWS_FOR_PRIORITIES"
        value = _Reader(config)._raw(key)
        if not isinstance(value, list | tuple) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 5 for p in value
        ):
            raise _wrong(key, "a list of priorities from 1 to 5, e.g. [1, 2]", value)
        return cls(for_priorities=tuple(sorted(set(value))))


@dataclass(frozen=True)
class ProblemSettings:
    """When recurring incidents suggest a problem: `hint_incidents` on one service or
    category opened within `hint_window`."""

    hint_incidents: int
    hint_window: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ProblemSettings:
        """Read and check PROBLEM_HINT_INCIDENTS (2 or more) and PROBLEM_HINT_WINDOW_HOURS."""
        read = _Reader(config)
        return cls(
            hint_incidents=read.whole("PROBLEM_HINT_INCIDENTS", 2),
            hint_window=timedelta(hours=read.number("PROBLEM_HINT_WINDOW_HOURS", 0.25)),
        )


@dataclass(frozen=True)
class Settings:
    """Everything domain code reads from the config, checked and typed."""

    site: SiteSettings
    limits: LimitSettings
    mail: MailSettings
    links: LinkSettings
    folders: FolderSettings
    automation: AutomationSettings
    webhooks: WebhookSettings
    problems: ProblemSettings
    reviews: ReviewSettings
    reopen_window: timedelta  # a requester's reply reopens a resolved incident within it
    kb_index_lock_seconds: float  # how long saving an article waits for the index lock
    worker_interval_seconds: float  # how often `helpdesk worker` runs its jobs
    reports_time_zone: str  # the zone whose days a report's range counts

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Check and parse the config; raise SettingsError naming the first bad key."""
        read = _Reader(config)
        return cls(
            site=SiteSettings.from_config(config),
            limits=LimitSettings.from_config(config),
            mail=MailSettings.from_config(config),
            links=LinkSettings.from_config(config),
            folders=FolderSettings.from_config(config),
            automation=AutomationSettings.from_config(config),
            webhooks=WebhookSettings.from_config(config),
            problems=ProblemSettings.from_config(config),
            reviews=ReviewSettings.from_config(config),
            reopen_window=timedelta(days=read.whole("REOPEN_WINDOW_DAYS", 0)),
            kb_index_lock_seconds=read.number("KB_INDEX_LOCK_SECONDS", 0),
            worker_interval_seconds=read.number("WORKER_INTERVAL_SECONDS", 1),
            reports_time_zone=read.zone("REPORTS_TIME_ZONE"),
        )


# The limits of an instance that sets none, for code that runs without an app (the parser
# in tests and benchmarks); an app's own are settings().limits.
DEFAULT_LIMITS = LimitSettings.from_config(DEFAULTS)


def install_settings(app: Flask) -> Settings:
    """Build the settings from the app's config and keep them on the app.

    create_app calls it once; the `serve` command again after it sets BASE_URL, and tests
    after they change the config (conftest's `reconfigure`). Flask's request size limit
    is derived here too, from the attachment limits.
    """
    built = Settings.from_config(app.config)
    app.extensions[EXTENSION_KEY] = built
    app.config["MAX_CONTENT_LENGTH"] = built.limits.max_request_bytes
    return built


def settings() -> Settings:
    """The current app's settings."""
    return cast(Settings, current_app.extensions[EXTENSION_KEY])
