"""File downloads (attachments, original emails): always as a download, never rendered
inline, never sniffed."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from helpdesk.access import can_download
from helpdesk.extensions import db
from helpdesk.incidents.attachments import blob_path, is_stored
from helpdesk.models import Attachment, Incident

bp = Blueprint("attachments", __name__)

NOT_IMPORTED = (
    "This file came with imported history: the import keeps each attachment's name, type "
    "and size, not the file itself."
)


@bp.get("/attachments/<int:attachment_id>/<path:filename>")
@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int, filename: str | None = None) -> Response | tuple[str, int]:
    """Send the file as an attachment; 404 for anyone who may not see it, and a 404 saying
    so for an imported attachment, whose bytes are not here."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    incident = db.session.get(Incident, attachment.message.incident_id)
    if incident is None or not can_download(current_user, attachment, incident):
        abort(404)
    if not is_stored(attachment):
        page = render_template(
            "errors/error.html", code=404, title="File not imported", text=NOT_IMPORTED
        )
        return page, 404
    return stored_download(blob_path(attachment), attachment.filename)


def stored_download(path: Path, download_name: str) -> Response:
    """Send a stored file as a download: never rendered, never sniffed, never cached.

    An HTML or SVG file (or a mail with an HTML part) served inline would run as our origin.
    """
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=download_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
