"""Attachments: checking uploaded and mailed files, and storing them in the blob store."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from helpdesk.core.blobs import blob_file, write_blob
from helpdesk.core.errors import InvalidInput
from helpdesk.core.settings import settings
from helpdesk.models import Attachment, Message

# The storage path of an attachment whose bytes never came: imported history (helpdesk
# import) carries the files' names, types, sizes and digests, not the files.
NOT_STORED = ""


@dataclass(frozen=True)
class NewAttachment:
    """An uploaded or mailed file before it is stored."""

    filename: str
    content_type: str
    data: bytes


def new_attachments(uploads: list[FileStorage]) -> list[NewAttachment]:
    """Read each upload that has a filename (a form's empty file field has none), for the
    portal, the console and the API alike; check_attachments then checks count and size."""
    return [
        NewAttachment(
            filename=upload.filename or "attachment",
            content_type=upload.mimetype or "application/octet-stream",
            data=upload.read(),
        )
        for upload in uploads
        if upload and upload.filename
    ]


def check_attachments(files: list[NewAttachment]) -> None:
    """Refuse too many files or any file over the configured size, before anything is saved."""
    limits = settings().limits
    if len(files) > limits.max_attachments:
        raise InvalidInput(f"Too many attachments (at most {limits.max_attachments}).")
    for file in files:
        if len(file.data) > limits.max_upload_bytes:
            raise InvalidInput(f"{file.filename} is larger than {limits.max_upload_mb} MB.")


def display_name(filename: str) -> str:
    """Keep the user's name for display, minus path parts and control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "attachment"


def guess_type(filename: str, declared: str | None) -> str:
    """Trust a specific declared type, else guess from the extension."""
    if declared and declared != "application/octet-stream":
        return declared[:127]
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def attach(message: Message, files: list[NewAttachment]) -> list[Attachment]:
    """Store each file and add an Attachment row for it to the message."""
    stored = []
    for file in files:
        name = display_name(file.filename)
        digest, relative = write_blob(file.data)
        attachment = Attachment(
            filename=name,
            content_type=guess_type(secure_filename(name) or name, file.content_type),
            size=len(file.data),
            sha256=digest,
            storage_path=relative,
        )
        message.attachments.append(attachment)
        stored.append(attachment)
    return stored


def is_stored(attachment: Attachment) -> bool:
    """Whether this helpdesk ever had the attachment's bytes (imported ones have not)."""
    return attachment.storage_path != NOT_STORED


def blob_path(attachment: Attachment) -> Path:
    """Return where an attachment's bytes live on disk."""
    return blob_file(attachment.storage_path)
