"""Threading decisions: which incident an email belongs to, and how far to trust its sender.

Pure functions of plain data. Whatever needs the database (does INC-000123 exist, did we
send or receive this Message-ID) is passed in as a callable, so every rule here is tested
without a database and the order of the rules reads top to bottom in `decide_route`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk import lifecycle
from helpdesk.references import spell_reference

# Reply and forward markers mail clients put in front of a subject, in several languages
# (Re, Fwd, Fw; German AW/WG, Scandinavian SV, Dutch Antw), with an optional counter as in
# "Re[2]:" and any spacing or case; a chain of them is stripped as one.
_PREFIX = r"(?:re|fwd?|aw|sv|antw|wg)\s*(?:\[\d+\]|\(\d+\))?\s*:"
_PREFIX_CHAIN = re.compile(rf"^(?:\s*{_PREFIX})+\s*", re.IGNORECASE)

# Routes: how an email was matched to its incident.
BY_TOKEN = "token"
BY_SIGNED_ID = "signed_id"
BY_KNOWN_ID = "known_id"
NEW = "new"

# Sender standing on an incident.
REQUESTER = "requester"
PARTICIPANT = "participant"
AGENT = "agent"
STRANGER = "stranger"

# What a trusted sender's mail does to an incident in a given state.
AS_REPLY = "reply"
AS_FOLLOW_UP = "follow_up"  # closed, cancelled, or resolved too long ago to reopen
AS_NOTE = "note"  # an agent writing on a finished incident: kept, but not sent to anyone

SUBJECT_MAX = 255
NO_SUBJECT = "(no subject)"

Lookup = Callable[[str], int | None]


@dataclass(frozen=True)
class Route:
    """Where an email goes: an incident id (None: open a new one) and which rule found it."""

    incident_id: int | None
    via: str


@dataclass(frozen=True)
class Lookups:
    """How to turn a reference or a Message-ID into an existing incident's id, or None."""

    by_reference: Lookup  # "INC-000123" -> id of an existing incident
    by_signed_id: Lookup  # one of our signed Message-IDs, verified -> its incident's id
    by_known_id: Lookup  # a Message-ID the helpdesk sent or received -> its incident's id


def _token_pattern(prefix: str) -> re.Pattern[str]:
    """Match a bracketed reference such as "[INC-000123]" or "[ inc - 123 ]"."""
    spaced = r"\s*".join(re.escape(char) for char in prefix.strip())
    return re.compile(rf"\[\s*{spaced}\s*-\s*(\d{{1,12}})\s*\]", re.IGNORECASE)


def references_in(subject: str, prefix: str) -> list[str]:
    """Return the reference tokens in a subject, normalised ("INC-000123"), in order."""
    found = []
    for match in _token_pattern(prefix).finditer(subject or ""):
        reference = spell_reference(prefix, int(match.group(1)))
        if reference not in found:
            found.append(reference)
    return found


def normalise_subject(subject: str) -> str:
    """Strip the chain of Re:/Fwd:/AW:... prefixes and surrounding space from a subject."""
    return _PREFIX_CHAIN.sub("", subject or "").strip()


def strip_references(subject: str, prefix: str) -> str:
    """Return the subject without prefixes and reference tokens, e.g. for a follow-up."""
    without = _token_pattern(prefix).sub(" ", normalise_subject(subject))
    return normalise_subject(" ".join(without.split()))


def new_subject(subject: str) -> str:
    """A new incident's subject: the mail's without Re:/Fwd: chains, never empty."""
    return _fit(normalise_subject(subject)) or NO_SUBJECT


def follow_up_subject(subject: str, prefix: str, fallback: str) -> str:
    """A follow-up's subject: the mail's without prefixes and tokens, else the old one."""
    return _fit(strip_references(subject, prefix)) or fallback


def _fit(subject: str) -> str:
    """Drop NUL characters (no database takes them) and cut to the subject column."""
    return subject.replace("\x00", "").strip()[:SUBJECT_MAX]


def header_ids(in_reply_to: Iterable[str], references: Iterable[str]) -> list[str]:
    """Message-IDs to try, most telling first: In-Reply-To, then References newest first."""
    ordered: list[str] = []
    for message_id in [*in_reply_to, *reversed(list(references))]:
        cleaned = message_id.strip()
        if cleaned and cleaned not in ordered:
            ordered.append(cleaned)
    return ordered


def decide_route(subject: str, message_ids: Iterable[str], prefix: str, lookups: Lookups) -> Route:
    """Pick the incident: a subject token first, then a header id we signed, sent or got.

    A token that names no existing incident does not count, so the headers still get
    their say; when nothing matches, the mail opens a new incident.
    """
    for reference in references_in(subject, prefix):
        incident_id = lookups.by_reference(reference)
        if incident_id is not None:
            return Route(incident_id, BY_TOKEN)
    for message_id in message_ids:
        incident_id = lookups.by_signed_id(message_id)
        if incident_id is not None:
            return Route(incident_id, BY_SIGNED_ID)
        incident_id = lookups.by_known_id(message_id)
        if incident_id is not None:
            return Route(incident_id, BY_KNOWN_ID)
    return Route(None, NEW)


def follow_merges(incident_id: int, merged_into: Callable[[int], int | None]) -> int:
    """Return the incident a merged one now lives in (following chains, immune to cycles)."""
    seen = {incident_id}
    current = incident_id
    while (target := merged_into(current)) is not None and target not in seen:
        seen.add(target)
        current = target
    return current


def sender_standing(
    sender: str, requester: str, participants: Iterable[str], sender_is_agent: bool
) -> str:
    """Tell who the sender is on the incident: requester, participant, agent or stranger."""
    address = sender.strip().lower()
    if address and address == requester.strip().lower():
        return REQUESTER
    if address and address in {p.strip().lower() for p in participants}:
        return PARTICIPANT
    if sender_is_agent:
        return AGENT
    return STRANGER


def is_trusted(standing: str) -> bool:
    """Requesters, participants and agents reply; a stranger's mail is flagged for review."""
    return standing != STRANGER


def disposition(
    standing: str,
    status: str,
    resolved_at: datetime | None,
    now: datetime,
    reopen_window_days: int,
) -> str:
    """Decide what a trusted sender's mail becomes on an incident in this state.

    Users' mail on a closed or cancelled incident, or on one resolved longer ago than the
    reopen window, opens a follow-up; agents' mail there is kept as an internal note
    rather than opening an incident in their own name.
    """
    finished = status in lifecycle.TERMINAL_STATUSES
    stale = (
        status == lifecycle.RESOLVED
        and resolved_at is not None
        and now - resolved_at > timedelta(days=reopen_window_days)
    )
    if standing == AGENT:
        return AS_NOTE if finished else AS_REPLY
    return AS_FOLLOW_UP if finished or stale else AS_REPLY
