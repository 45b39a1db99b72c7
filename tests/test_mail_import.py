"""`helpdesk mail import`: .eml files, mbox files and Maildir folders, with a summary."""

import mailbox
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from helpdesk import cli
from helpdesk.extensions import db
from helpdesk.models import Incident, Message, ReceivedEmail
from mail_gateway.ingest import ingest
from mail_gateway.mail_files import Summary, import_paths, ingest_maildir
from mail_gateway.maildir import DropFolderMissing
from tests.conftest import reconfigure
from tests.test_ingest import eml


def import_mail(runner, *paths: str):
    """Run `helpdesk mail import PATH...` against the test app."""
    return runner.invoke(cli.main, ["mail", "import", *paths])


def incidents_count() -> int:
    """How many incidents exist."""
    return db.session.scalar(select(func.count()).select_from(Incident))


def summary_of(output: str) -> str:
    """The summary line of the command's output."""
    return output.strip().splitlines()[-1]


def write_maildir(folder: Path, messages: dict[str, bytes]) -> None:
    """Lay out a Maildir with messages in new/ named as given."""
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for name, raw in messages.items():
        (folder / "new" / name).write_bytes(raw)


def test_import_eml_files_prints_the_summary(runner, tmp_path):
    first = tmp_path / "first.eml"
    first.write_bytes(eml(message_id="<one@example.org>"))
    reply = tmp_path / "reply.eml"
    reply.write_bytes(eml(subject="Re: more", references="<one@example.org>"))
    result = import_mail(runner, str(first), str(reply), str(first))
    assert result.exit_code == 0, result.output
    assert summary_of(result.output) == (
        "fetched 3, new incidents 1, replies 1, follow-ups 0, flagged 0, bounces 0, "
        "ignored 0, duplicates 1, quarantined 0"
    )
    assert incidents_count() == 1


def test_import_an_mbox(runner, tmp_path):
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path)
    for number in range(3):
        box.add(eml(subject=f"Problem {number}", message_id=f"<mbox{number}@example.org>"))
    box.flush()
    box.close()
    result = import_mail(runner, str(path))
    assert result.exit_code == 0, result.output
    assert "fetched 3, new incidents 3," in result.output
    subjects = db.session.scalars(select(Incident.subject).order_by(Incident.id)).all()
    assert subjects == ["Problem 0", "Problem 1", "Problem 2"]
    source = db.session.scalars(select(ReceivedEmail.source)).first()
    assert source == f"{path}#1"


def test_import_a_maildir_marks_messages_seen_after_the_commit(runner, tmp_path):
    folder = tmp_path / "Maildir"
    write_maildir(folder, {"1700000001.a.host": eml(), "1700000002.b.host": eml(subject="Two")})
    (folder / "cur" / "1700000000.z.host:2,S").write_bytes(eml(subject="Read long ago"))
    result = import_mail(runner, str(folder))
    assert result.exit_code == 0, result.output
    assert "fetched 3, new incidents 3," in result.output
    assert os.listdir(folder / "new") == []
    assert sorted(os.listdir(folder / "cur")) == [
        "1700000000.z.host:2,S",
        "1700000001.a.host:2,S",
        "1700000002.b.host:2,S",
    ]


def test_unreadable_paths_are_reported_and_the_rest_imported(runner, tmp_path):
    good = tmp_path / "good.eml"
    good.write_bytes(eml())
    missing = tmp_path / "missing.eml"
    result = import_mail(runner, str(missing), str(good))
    assert result.exit_code == 1
    assert f"Could not read {missing}" in result.output
    assert summary_of(result.output).startswith("fetched 1, new incidents 1,")
    assert summary_of(result.output).endswith("unreadable 1")
    assert incidents_count() == 1


def test_quarantined_messages_are_counted(runner, tmp_path):
    path = tmp_path / "nosender.eml"
    path.write_bytes(eml(sender=""))
    result = import_mail(runner, str(path))
    assert "quarantined 1" in summary_of(result.output)


def test_a_folder_of_eml_files(runner, tmp_path):
    folder = tmp_path / "mails"
    folder.mkdir()
    for number in range(2):
        (folder / f"{number}.eml").write_bytes(eml(subject=f"Problem {number}"))
    result = import_mail(runner, str(folder))
    assert "fetched 2, new incidents 2," in result.output


def test_drop_folder_takes_only_unseen_mail_once(app, tmp_path):
    folder = tmp_path / "maildrop"
    write_maildir(folder, {"1700000001.a.host": eml(body="Hello")})
    (folder / "cur" / "1700000000.z.host:2,S").write_bytes(eml(subject="Already handled"))
    (folder / "cur" / "1700000000.y.host:2,F").write_bytes(eml(subject="Flagged, unseen"))
    first = ingest_maildir(folder)
    assert (first.fetched, first.new_incidents) == (2, 2)
    assert ingest_maildir(folder).fetched == 0
    assert sorted(os.listdir(folder / "cur")) == [
        "1700000000.y.host:2,FS",
        "1700000000.z.host:2,S",
        "1700000001.a.host:2,S",
    ]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2


def test_a_missing_drop_folder_is_an_error_that_names_it(app, tmp_path):
    with pytest.raises(DropFolderMissing, match=f"{tmp_path / 'nothing-here' / 'new'} does not"):
        ingest_maildir(tmp_path / "nothing-here")
    (tmp_path / "half" / "new").mkdir(parents=True)
    with pytest.raises(DropFolderMissing, match=f"{tmp_path / 'half' / 'cur'} does not exist"):
        ingest_maildir(tmp_path / "half")


def test_a_message_stays_in_new_when_the_database_fails(app, tmp_path):
    def database_down(raw, source):
        raise OperationalError("INSERT", {}, Exception("gone"))

    folder = tmp_path / "maildrop"
    write_maildir(folder, {"1700000001.a.host": eml()})
    with pytest.raises(OperationalError):
        ingest_maildir(folder, apply=database_down)
    assert os.listdir(folder / "new") == ["1700000001.a.host"]


def test_a_drop_folder_is_taken_in_batches_each_marked_seen_after_its_commit(app, tmp_path):
    reconfigure(app, IMAP_BATCH_SIZE=2)
    names = [f"170000000{number}.m{number}.host" for number in range(5)]
    folder = tmp_path / "maildrop"
    write_maildir(folder, {name: eml(subject=f"Problem {name}") for name in names})
    taken = []

    def database_gone_at_the_fourth(raw, source):
        taken.append(source)
        if len(taken) == 4:
            raise OperationalError("INSERT", {}, Exception("gone"))
        return ingest(raw, source)

    with pytest.raises(OperationalError):
        ingest_maildir(folder, apply=database_gone_at_the_fourth)
    db.session.rollback()
    # The first batch of two committed and was marked seen; the second rolled back whole.
    assert incidents_count() == 2
    assert len(os.listdir(folder / "cur")) == 2 and len(os.listdir(folder / "new")) == 3
    assert ingest_maildir(folder).new_incidents == 3
    assert incidents_count() == 5 and os.listdir(folder / "new") == []


def buggy_for(subject: str):
    """An ingest that raises a bug after applying the mail with this subject."""

    def apply(raw, source):
        result = ingest(raw, source)
        if f"Subject: {subject}".encode() in raw:
            raise RuntimeError("a bug after its incident was staged")
        return result

    return apply


def test_one_drop_folder_mail_that_breaks_ingest_does_not_hold_up_the_rest(app, tmp_path):
    names = [f"170000000{number}.p{number}.host" for number in range(3)]
    folder = tmp_path / "maildrop"
    write_maildir(folder, {name: eml(subject=f"Problem {n}") for n, name in enumerate(names)})
    summary = ingest_maildir(folder, apply=buggy_for("Problem 1"))
    assert (summary.new_incidents, summary.failed, summary.waiting) == (2, 1, 1)
    assert "failed 1" in summary.line()
    assert incidents_count() == 2  # its half-done work was undone, the others kept
    assert os.listdir(folder / "new") == [names[1]]  # left unseen for the next pass
    assert ingest_maildir(folder).new_incidents == 1
    assert incidents_count() == 3 and os.listdir(folder / "new") == []


def test_an_import_counts_what_failed(app, tmp_path):
    folder = tmp_path / "mails"
    folder.mkdir()
    (folder / "a.eml").write_bytes(eml(subject="Problem A"))
    (folder / "b.eml").write_bytes(eml(subject="Problem B"))
    summary = import_paths([folder], apply=buggy_for("Problem B"))
    assert (summary.new_incidents, summary.failed) == (1, 1)


def test_summary_line_counts_every_outcome():
    summary = Summary()
    for outcome in ["new_incident", "reply", "follow_up", "flagged", "bounce", "ignored"]:
        summary.count(outcome)
    summary.count("duplicate")
    summary.count("quarantined")
    assert summary.line() == (
        "fetched 8, new incidents 1, replies 1, follow-ups 1, flagged 1, bounces 1, "
        "ignored 1, duplicates 1, quarantined 1"
    )
