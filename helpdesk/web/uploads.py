"""Turning uploaded form files into the service layer's NewAttachment values."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from helpdesk.incidents import NewAttachment


def new_attachments(files: list[FileStorage]) -> list[NewAttachment]:
    """Read each non-empty upload; the service layer enforces count and size limits."""
    return [
        NewAttachment(
            filename=upload.filename or "attachment",
            content_type=upload.mimetype or "application/octet-stream",
            data=upload.read(),
        )
        for upload in files
        if upload and upload.filename
    ]
