"""Where and how the gateway fetches mail: the IMAP_* settings, checked before any connection.

Plaintext IMAP is refused for any host but loopback, so a password never crosses a
network in clear text; outbound SMTP applies the same rule (`is_loopback`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_SECONDS = 60


class GatewayError(RuntimeError):
    """The gateway cannot reach or use a mail server; the message says why, with no secret."""


@dataclass(frozen=True)
class ImapSettings:
    """Where and how to fetch mail, read from the app config (IMAP_* keys)."""

    host: str
    port: int
    security: str
    username: str
    password: str = field(repr=False)
    auth: str
    folder: str
    processed_folder: str
    quarantine_folder: str
    after_processing: str
    batch_size: int
    ca_file: str = ""
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImapSettings:
        """Build the settings from the Flask config, checking the choices."""
        settings = cls(
            host=str(config["IMAP_HOST"]),
            port=int(config["IMAP_PORT"]),
            security=str(config["IMAP_SECURITY"]).lower(),
            username=str(config["IMAP_USERNAME"]),
            password=str(config["IMAP_PASSWORD"]),
            auth=str(config["IMAP_AUTH"]).lower(),
            folder=str(config["IMAP_FOLDER"]),
            processed_folder=str(config["IMAP_PROCESSED_FOLDER"]),
            quarantine_folder=str(config["IMAP_QUARANTINE_FOLDER"]),
            after_processing=str(config["IMAP_AFTER_PROCESSING"]).lower(),
            batch_size=max(1, int(config["IMAP_BATCH_SIZE"])),
            ca_file=str(config["IMAP_CA_FILE"]),
            timeout=float(config["IMAP_TIMEOUT_SECONDS"]),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that are unknown, or plaintext to a host that is not loopback."""
        if self.security not in ("ssl", "starttls", "plain"):
            raise GatewayError(
                f"IMAP_SECURITY must be ssl, starttls or plain, not {self.security!r}"
            )
        if self.auth not in ("password", "xoauth2"):
            raise GatewayError(f"IMAP_AUTH must be password or xoauth2, not {self.auth!r}")
        if self.after_processing not in ("move", "delete"):
            raise GatewayError("IMAP_AFTER_PROCESSING must be move or delete")
        if self.security == "plain" and not is_loopback(self.host):
            raise GatewayError(
                f"IMAP_SECURITY=plain would send the password in clear text to {self.host}; "
                "it is only allowed for a loopback address (use ssl or starttls)"
            )

    @property
    def mailbox(self) -> str:
        """A name for the watched mailbox in heartbeats and logs (no secret in it)."""
        return f"imap://{self.username}@{self.host}:{self.port}/{self.folder}"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where plaintext IMAP cannot be sniffed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
