"""Fitting a mail into a message's limits rather than refusing it: a mail cannot be sent back
for editing as a form can."""

from __future__ import annotations

from collections.abc import Sequence

from helpdesk.core import validation as check
from helpdesk.core.settings import MB, settings
from helpdesk.incidents.attachments import NewAttachment

NO_TEXT = "(The email had no text.)"
LEFT_OUT = "Not attached, over the size or number limit (the original email is kept):"
CUT_SHORT = "\n\n[Cut short here; the original email is kept.]"


def fit_to_limits(
    text: str, files: list[NewAttachment], unread: Sequence[tuple[str, int]] = ()
) -> tuple[str, list[NewAttachment]]:
    """Fit mailed text and files into a message's limits rather than refuse the mail.

    A mail cannot be sent back for editing as a form can: files over the size or number
    limit are named in the text instead, and an endless body is cut short; the gateway
    keeps the original email, so nothing is lost. `unread` names (with their sizes in
    bytes) files the parser already left out for their size.
    """
    limits = settings().limits
    size_limit, room = limits.max_upload_bytes, limits.max_attachments
    kept: list[NewAttachment] = []
    left_out = list(unread)
    for file in files:
        if len(file.data) > size_limit or len(kept) >= room:
            left_out.append((file.filename, len(file.data)))
        else:
            kept.append(file)
    body = (text or "").replace("\x00", "").strip() or NO_TEXT
    if left_out:
        named = ", ".join(f"{name} ({size / MB:.1f} MB)" for name, size in left_out)
        body += f"\n\n[{LEFT_OUT} {named}]"
    if len(body) > check.BODY_MAX:
        body = body[: check.BODY_MAX - len(CUT_SHORT)] + CUT_SHORT
    return body, kept
