"""XOAUTH2 access tokens for IMAP: from a command (a token helper) or from a file.

Microsoft 365 and Google accept only OAuth2 for IMAP. Fetching and refreshing tokens is
left to a helper the operator already trusts (`IMAP_OAUTH2_TOKEN_COMMAND`, e.g. a script
around MSAL or `oauth2l`), or to whatever keeps `IMAP_OAUTH2_TOKEN_FILE` fresh. The
token is asked for on every connection, so a refreshed token is picked up without a
restart. Tokens never appear in log lines or error messages.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

COMMAND_TIMEOUT_SECONDS = 60


class TokenUnavailable(RuntimeError):
    """No access token could be had; the message says why, without any secret."""


def access_token(config: Mapping[str, Any]) -> str:
    """Return a current access token from the configured command, else the configured file."""
    command = str(config.get("IMAP_OAUTH2_TOKEN_COMMAND") or "").strip()
    if command:
        return token_from_command(command)
    path = str(config.get("IMAP_OAUTH2_TOKEN_FILE") or "").strip()
    if path:
        return token_from_file(Path(path))
    raise TokenUnavailable(
        "IMAP_AUTH is xoauth2 but neither IMAP_OAUTH2_TOKEN_COMMAND nor "
        "IMAP_OAUTH2_TOKEN_FILE is set"
    )


def token_from_command(command: str) -> str:
    """Run the token helper (no shell) and return the first line it prints."""
    try:
        done = subprocess.run(
            shlex.split(command),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        raise TokenUnavailable(f"the OAuth2 token command could not run: {error}") from error
    if done.returncode != 0:
        # stderr is the helper's own explanation; stdout might hold a partial token.
        reason = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise TokenUnavailable(
            f"the OAuth2 token command failed with exit status {done.returncode}: {reason[0]}"
        )
    return _first_line(done.stdout, "the OAuth2 token command printed no token")


def token_from_file(path: Path) -> str:
    """Read the token from a file kept fresh by some other process."""
    try:
        text = path.read_text()
    except OSError as error:
        raise TokenUnavailable(
            f"cannot read the OAuth2 token file {path}: {error.strerror}"
        ) from error
    return _first_line(text, f"the OAuth2 token file {path} is empty")


def _first_line(text: str, empty_message: str) -> str:
    """The first non-blank line, stripped; a blank text is an error."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    raise TokenUnavailable(empty_message)
