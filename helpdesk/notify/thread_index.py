"""Outlook's Thread-Index header ([MS-OXOMSG] 2.2.1.3, PidTagConversationIndex), as pure code.

A 22-byte root names the conversation (a reserved byte, 40 bits of a FILETIME, a GUID), and
each reply appends a 5-byte block holding its time offset from the root. Outlook groups mail
by the root, so every mail about one incident carries the same root: the incident's creation
time and a GUID derived from the incident, never a random one.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import datetime

FILETIME_EPOCH = datetime(1601, 1, 1)
TICKS_PER_SECOND = 10_000_000  # FILETIME counts 100-nanosecond intervals
ROOT_LENGTH = 22
CHILD_LENGTH = 5
MAX_CHILDREN = 100  # Outlook copes with long chains; a bound keeps the header sane


def filetime(moment: datetime) -> int:
    """Return a naive-UTC moment as a Windows FILETIME (100 ns ticks since 1601)."""
    delta = moment - FILETIME_EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    return seconds * TICKS_PER_SECOND + delta.microseconds * 10


def conversation_guid(namespace: str, incident_id: int) -> uuid.UUID:
    """The same GUID for every mail about one incident of one helpdesk."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"helpdesk:{namespace}:incident:{incident_id}")


def root_block(started: datetime, guid: uuid.UUID) -> bytes:
    """The 22-byte header: 0x01, the 40 high bits of the start FILETIME, the GUID (big-endian)."""
    stamp = (filetime(started) >> 24) & ((1 << 40) - 1)
    return b"\x01" + stamp.to_bytes(5, "big") + guid.bytes


def child_block(started: datetime, moment: datetime, sequence: int) -> bytes:
    """One 5-byte response level: delta code, 31 bits of time offset, a low byte of noise."""
    base = (filetime(started) >> 24) << 24  # the root keeps only the high bits
    difference = max(0, filetime(moment) - base)
    if difference >> 49 == 0:
        code, offset = 0, difference >> 18
    else:
        code, offset = 1, difference >> 23
    low = (moment.microsecond & 0xF0) | (sequence & 0x0F)
    value = (code << 39) | ((offset & 0x7FFF_FFFF) << 8) | low
    return value.to_bytes(CHILD_LENGTH, "big")


def thread_index(started: datetime, guid: uuid.UUID, replies: Sequence[datetime]) -> str:
    """Return the header value: the root plus one block per reply time, base64-encoded."""
    kept = list(replies)
    if len(kept) > MAX_CHILDREN:  # keep the chain's start and the newest reply
        kept = kept[: MAX_CHILDREN - 1] + kept[-1:]
    blocks = [child_block(started, moment, number) for number, moment in enumerate(kept, 1)]
    return base64.b64encode(root_block(started, guid) + b"".join(blocks)).decode("ascii")
