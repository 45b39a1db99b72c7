"""Durable files: written atomically, and on disk (file and folder fsynced) before the
commit of the transaction that refers to them, once per transaction."""

import os
import threading
from pathlib import Path

import pytest
from flask import Flask

from helpdesk.core.blobs import write_blob
from helpdesk.core.durable import write_atomically, write_durably
from helpdesk.core.unit import transaction
from helpdesk.extensions import db


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths fsynced from now on, in order (the real fsync still runs)."""
    paths: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        paths.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    return paths


def test_a_blob_is_stored_once_under_its_hash(app: Flask) -> None:
    digest, relative = write_blob(b"the original email")
    assert write_blob(b"the original email") == (digest, relative)
    stored = Path(app.config["ATTACHMENT_DIR"]) / relative
    assert stored.read_bytes() == b"the original email"
    assert relative == f"{digest[:2]}/{digest}"


def test_files_reach_the_disk_at_the_commit_that_refers_to_them(
    app: Flask, tmp_path: Path, synced: list[str]
) -> None:
    first, second = tmp_path / "a" / "one", tmp_path / "b" / "two"
    with transaction():
        for target in (first, second):
            with db.session.begin_nested():  # a mail's SAVEPOINT: nothing synced yet
                write_durably(target, target.name.encode())
        assert synced == []
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert not list(tmp_path.rglob("*.part"))
    assert synced == [str(first), str(second), str(first.parent), str(second.parent)]
    db.session.commit()
    assert len(synced) == 4  # each file once, not again at the next commit


def test_writers_of_the_same_file_at_once_never_trip_over_each_other(tmp_path: Path) -> None:
    """Gateways sharing a drop folder store the same mail's blob at the same moment."""
    target = tmp_path / "ab" / "abcdef"
    errors: list[BaseException] = []

    def write_many() -> None:
        try:
            for _ in range(300):
                write_atomically(target, b"the same original email")
        except BaseException as error:
            errors.append(error)

    writers = [threading.Thread(target=write_many) for _ in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    assert target.read_bytes() == b"the same original email"
    assert os.listdir(target.parent) == ["abcdef"]  # no temporary file left behind
