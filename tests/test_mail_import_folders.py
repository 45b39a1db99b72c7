"""`helpdesk mail import DIR` reads every file at any depth, whatever its name; a file that
is not mail is quarantined saying so; the summary names what it skipped and why; a path
from which nothing could be read is an error."""

from __future__ import annotations

import mailbox
import os
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Incident, QuarantinedEmail
from mail_gateway.ingest import NOT_MAIL
from tests.test_ingest import eml
from tests.test_mail_import import import_mail, incidents_count, summary_of, write_maildir

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def subjects() -> list[str]:
    """The subjects of all incidents, sorted."""
    return sorted(db.session.scalars(select(Incident.subject)))


def test_messages_of_any_name_in_nested_folders_are_all_read(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    (export / "2024" / "march").mkdir(parents=True)
    (export / "note.txt").write_bytes(eml(subject="From a txt file"))
    (export / "1234").write_bytes(eml(subject="From a file without extension"))
    (export / "2024" / "one.msg").write_bytes(eml(subject="One level down"))
    (export / "2024" / "march" / "two.eml").write_bytes(eml(subject="Two levels down"))
    result = import_mail(runner, str(export))
    assert result.exit_code == 0, result.output
    assert summary_of(result.output).startswith("fetched 4, new incidents 4,")
    assert subjects() == [
        "From a file without extension",
        "From a txt file",
        "One level down",
        "Two levels down",
    ]


def test_maildir_and_mbox_inside_a_folder_are_still_recognised(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    write_maildir(export / "Maildir", {"1700000001.a.host": eml(subject="In a Maildir")})
    box = mailbox.mbox(export / "archive")
    for number in range(2):
        box.add(eml(subject=f"In an mbox {number}"))
    box.flush()
    box.close()
    result = import_mail(runner, str(export))
    assert result.exit_code == 0, result.output
    assert "fetched 3, new incidents 3," in result.output
    assert subjects() == ["In a Maildir", "In an mbox 0", "In an mbox 1"]
    assert os.listdir(export / "Maildir" / "cur") == ["1700000001.a.host:2,S"]


def test_a_file_that_is_not_mail_is_quarantined_saying_so(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "logo.png").write_bytes(PNG)
    (export / "notes.txt").write_bytes(b"Remember to call the printer vendor.\n")
    (export / "real.eml").write_bytes(eml())
    result = import_mail(runner, str(export))
    assert result.exit_code == 0, result.output
    assert "fetched 3, new incidents 1," in result.output and "quarantined 2" in result.output
    errors = db.session.scalars(select(QuarantinedEmail.error)).all()
    assert len(errors) == 2 and all(error.startswith(NOT_MAIL) for error in errors)


def test_the_summary_names_what_was_skipped_and_why(runner: FlaskCliRunner, tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / ".git").mkdir(parents=True)
    (export / ".git" / "HEAD").write_bytes(eml(subject="Never read"))
    (export / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (export / "empty.eml").write_bytes(b"")
    (export / "gone.eml").symlink_to(tmp_path / "nowhere.eml")
    (export / "loop").symlink_to(export)
    (export / "good.eml").write_bytes(eml())
    result = import_mail(runner, str(export))
    lines = result.output.splitlines()
    assert f"Skipped {export / '.git'}: its name starts with a dot" in lines
    assert f"Skipped {export / '.DS_Store'}: its name starts with a dot" in lines
    assert f"Skipped {export / 'empty.eml'}: the file is empty" in lines
    assert f"Skipped {export / 'loop'}: a link to a folder, not followed" in lines
    assert f"Could not read {export / 'gone.eml'}: No such file or directory" in lines
    assert summary_of(result.output).startswith("fetched 1, new incidents 1,")
    assert summary_of(result.output).endswith(
        "skipped 4 (hidden 2, empty 1, folder link 1), unreadable 1"
    )
    assert result.exit_code == 1  # something could not be read
    assert incidents_count() == 1


def test_a_path_with_nothing_to_read_is_an_error_naming_it(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    hidden_only = tmp_path / "hidden-only"
    hidden_only.mkdir()
    (hidden_only / ".keep").write_bytes(eml())
    good = tmp_path / "good.eml"
    good.write_bytes(eml())
    result = import_mail(runner, str(empty), str(hidden_only), str(good))
    assert result.exit_code == 1
    assert f"Nothing could be imported from {empty}: it holds no message" in result.output
    assert (
        f"Nothing could be imported from {hidden_only}: everything in it was skipped"
        in result.output
    )
    assert summary_of(result.output).startswith("fetched 1, new incidents 1,")


def test_an_empty_maildir_is_an_error_but_an_imported_one_is_not(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "Maildir"
    write_maildir(folder, {})
    assert import_mail(runner, str(folder)).exit_code == 1
    write_maildir(folder, {"1700000001.a.host": eml()})
    assert import_mail(runner, str(folder)).exit_code == 0
    again = import_mail(runner, str(folder))  # the message is seen now, and read again
    assert again.exit_code == 0 and "duplicates 1" in again.output
