"""How incidents and messages reach the service desk, and how people say it.

One table, so the service's checks, the agent's "New incident" choices, the audit trail
("logged it at the desk") and the thread ("by phone") always agree on the names.
"""

from __future__ import annotations

# How someone reached the desk when an agent logs the incident for them, as offered to agents.
AGENT_CHANNELS = {"phone": "Phone", "walk-in": "Walk-in", "chat": "Chat"}
# Every channel an incident can arrive by: people themselves use the portal and email.
# Monitoring opens incidents from alerts, as its integration's service account.
ALERT = "alert"
# Programs open incidents through the API (an agent's integration, a chat bot, a form).
INCIDENT_CHANNELS = ("portal", "email", "api", *AGENT_CHANNELS, ALERT)
# "Uma reported it by email", "Sam logged it at the desk": every channel, incidents' and
# messages' (agents write in the console; the system and the API write too).
IN_WORDS = {
    "portal": "on the portal",
    "email": "by email",
    "agent": "in the console",
    "phone": "by phone",
    "walk-in": "at the desk",
    "chat": "in a chat",
    "api": "through the API",
    ALERT: "by a monitoring alert",
    "system": "automatically",
}


def in_words(channel: str | None) -> str:
    """Say how something came in ("by phone"); an unknown channel is named as it is."""
    return IN_WORDS.get(channel or "", f"via {channel}" if channel else "")
