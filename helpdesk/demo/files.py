"""Small attachment files for the demo, generated so no binary blobs live in the repo."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime, timedelta

from helpdesk.incidents import NewAttachment


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A plain PNG image: a light window with a coloured title bar, like a tiny screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk: length, type, data and CRC."""
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(colour if y < height // 5 else (240, 240, 240)) * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _battery_report() -> bytes:
    """A short battery report like the one Windows produces, as text."""
    lines = ["BATTERY REPORT", "Design capacity      56,000 mWh", "Full charge capacity 21,480 mWh"]
    lines += [f"Day -{day}: active 8h, drained {30 + day * 4}% per hour" for day in range(1, 6)]
    return ("\n".join(lines) + "\n").encode()


def _vpn_log() -> bytes:
    """A VPN client log with the periodic disconnects the requester describes."""
    lines = []
    for cycle in range(5):
        up = datetime(2000, 1, 1, 9, 0, 3) + timedelta(minutes=20 * cycle)
        down = up + timedelta(minutes=19, seconds=55)
        lines.append(f"{up:%H:%M:%S} INFO  tunnel up, gateway vpn.example.org")
        lines.append(f"{down:%H:%M:%S} WARN  dead peer detection timeout, renegotiating")
        lines.append(f"{down:%H:%M:%S} ERROR tunnel down: rekey failed (code 809)")
    return ("\n".join(lines) + "\n").encode()


FILES = {
    "battery-report.txt": ("text/plain", _battery_report),
    "vpn-client.log": ("text/plain", _vpn_log),
    "crm-error.png": ("image/png", lambda: _png(320, 180, (200, 40, 40))),
}


def demo_file(name: str) -> NewAttachment:
    """Return the named demo file as an attachment to upload."""
    content_type, make = FILES[name]
    return NewAttachment(filename=name, content_type=content_type, data=make())
