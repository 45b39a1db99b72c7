"""The file store: content-addressed blobs written atomically and durably before the
database commit that refers to them."""

import os
from pathlib import Path

from flask import Flask

from helpdesk.incidents.attachments import write_blob, write_durably


def test_a_blob_is_stored_once_under_its_hash(app: Flask) -> None:
    digest, relative = write_blob(b"the original email")
    again = write_blob(b"the original email")
    assert again == (digest, relative)
    stored = Path(app.config["ATTACHMENT_DIR"]) / relative
    assert stored.read_bytes() == b"the original email"
    assert relative == f"{digest[:2]}/{digest}"


def test_a_durable_write_reaches_the_disk_before_it_returns(tmp_path: Path, monkeypatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    target = tmp_path / "ab" / "blob"
    write_durably(target, b"bytes")
    assert target.read_bytes() == b"bytes"
    assert not target.with_suffix(".part").exists()
    # The data (written under its temporary name), then the folder holding the rename.
    assert synced == [str(target.with_suffix(".part")), str(target.parent)]
