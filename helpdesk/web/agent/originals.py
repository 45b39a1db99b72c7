"""The email as it was sent: the original .eml of a mailed message, and its HTML body.

Agents only; to anyone else these URLs do not exist (404, like a message on another
incident). The original is a download, never rendered. The HTML body was sanitized when
the mail came in (no scripts, handlers, forms or remote images) and is sanitized again
here, then served as a sandboxed document of its own: the workbench shows it in a
sandboxed frame, so even a sanitizer miss could not run as the console.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from flask import abort
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk.core.blobs import blob_file
from helpdesk.extensions import db
from helpdesk.models import Message, ReceivedEmail
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.attachments import stored_download
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from mail_gateway.html import sanitize_html

# The frame's own look; allowed by its hash, so no other style can apply.
FRAME_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0.75rem;color:#1d2430;"
    "overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(FRAME_STYLE.encode()).digest()).decode()
# Links open in a new tab outside the sandbox; nothing in the frame can script.
FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
FRAME_POLICY = (
    f"sandbox {FRAME_SANDBOX}; default-src 'none'; img-src data:; "
    f"style-src 'sha256-{_STYLE_HASH}'; frame-ancestors 'self'; base-uri 'none'"
)


def _stored_original(message: Message) -> ReceivedEmail | None:
    """The gateway's record of the mail that carried the message, when it kept the bytes."""
    return db.session.scalars(
        select(ReceivedEmail)
        .where(ReceivedEmail.message_row_id == message.id, ReceivedEmail.raw_path != "")
        .order_by(ReceivedEmail.id)
    ).first()


def with_originals(messages: Iterable[Message]) -> set[int]:
    """The ids of the messages whose original email is stored."""
    ids = [message.id for message in messages if message.channel == "email"]
    if not ids:
        return set()
    rows = db.session.scalars(
        select(ReceivedEmail.message_row_id).where(
            ReceivedEmail.message_row_id.in_(ids), ReceivedEmail.raw_path != ""
        )
    )
    return {message_id for message_id in rows if message_id is not None}


def _message_or_404(reference: str, message_id: int) -> Message:
    """The message on the incident the URL names; 404 for a message of another incident."""
    incident = incident_or_404(reference)
    message = db.session.get(Message, message_id)
    if message is None or message.incident_id != incident.id:
        abort(404)
    return message


@bp.get("/incidents/<reference>/messages/<int:message_id>/original.eml")
@agent_required
def message_original(reference: str, message_id: int) -> Response:
    """Download the email that carried a message, byte for byte as it was received."""
    message = _message_or_404(reference, message_id)
    original = _stored_original(message)
    if original is None:
        abort(404)
    path = blob_file(original.raw_path)
    return stored_download(path, f"{reference}-message-{message.id}.eml")


@bp.get("/incidents/<reference>/messages/<int:message_id>/formatted")
@agent_required
def message_formatted(reference: str, message_id: int) -> Response:
    """The message's HTML body, sanitized, as a sandboxed page for the workbench's frame."""
    message = _message_or_404(reference, message_id)
    if not message.body_html:
        abort(404)
    page = Markup(
        '<!doctype html><html><head><meta charset="utf-8"><base target="_blank">'
        "<style>{}</style></head><body>{}</body></html>"
    ).format(Markup(FRAME_STYLE), Markup(sanitize_html(message.body_html)))
    response = Response(str(page), mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response
