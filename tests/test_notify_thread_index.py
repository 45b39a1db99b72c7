"""Outlook's Thread-Index: a stable 22-byte root per conversation, 5 bytes more per reply."""

import base64
import uuid
from datetime import datetime, timedelta

from helpdesk.notify.thread_index import (
    MAX_CHILDREN,
    child_block,
    conversation_guid,
    filetime,
    root_block,
    thread_index,
)

STARTED = datetime(2026, 3, 1, 9, 30)
GUID = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")


def decoded(value: str) -> bytes:
    """The raw bytes of a Thread-Index header value."""
    return base64.b64decode(value)


def test_filetime_counts_100ns_ticks_since_1601():
    assert filetime(datetime(1601, 1, 1)) == 0
    assert filetime(datetime(1970, 1, 1)) == 116_444_736_000_000_000


def test_root_is_reserved_byte_time_and_big_endian_guid():
    root = root_block(STARTED, GUID)
    assert len(root) == 22
    assert root[0] == 0x01
    assert int.from_bytes(root[1:6], "big") == filetime(STARTED) >> 24
    assert root[6:] == GUID.bytes


def test_first_mail_is_the_root_alone():
    assert decoded(thread_index(STARTED, GUID, [])) == root_block(STARTED, GUID)


def test_each_reply_adds_five_bytes_and_keeps_the_earlier_ones():
    one = decoded(thread_index(STARTED, GUID, [STARTED + timedelta(hours=1)]))
    two = decoded(
        thread_index(STARTED, GUID, [STARTED + timedelta(hours=1), STARTED + timedelta(days=2)])
    )
    assert len(one) == 27 and len(two) == 32
    assert two.startswith(one)


def test_child_block_encodes_the_offset_from_the_root():
    later = STARTED + timedelta(hours=5)
    value = int.from_bytes(child_block(STARTED, later, 1), "big")
    base = (filetime(STARTED) >> 24) << 24
    assert value >> 39 == 0  # short offsets use delta code 0
    assert (value >> 8) & 0x7FFF_FFFF == (filetime(later) - base) >> 18


def test_offsets_beyond_a_year_and_a_half_switch_delta_code():
    much_later = STARTED + timedelta(days=800)
    value = int.from_bytes(child_block(STARTED, much_later, 1), "big")
    base = (filetime(STARTED) >> 24) << 24
    assert value >> 39 == 1
    assert (value >> 8) & 0x7FFF_FFFF == ((filetime(much_later) - base) >> 23) & 0x7FFF_FFFF


def test_very_long_threads_are_bounded():
    replies = [STARTED + timedelta(minutes=n) for n in range(1, MAX_CHILDREN + 50)]
    assert len(decoded(thread_index(STARTED, GUID, replies))) == 22 + 5 * MAX_CHILDREN


def test_conversation_guid_is_stable_per_incident_and_helpdesk():
    assert conversation_guid("support@a.org", 7) == conversation_guid("support@a.org", 7)
    assert conversation_guid("support@a.org", 7) != conversation_guid("support@a.org", 8)
    assert conversation_guid("support@a.org", 7) != conversation_guid("support@b.org", 7)
