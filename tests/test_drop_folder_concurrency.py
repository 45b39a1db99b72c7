"""Several gateways on one drop folder: SQLite waits its turn, and a mail another gateway
took between listing and reading is skipped quietly; every mail is one incident."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask import Flask

from mail_gateway import health
from mail_gateway.maildir import make_maildir
from tests.mail.helpers import counts, gateway_env, helpdesk_command
from tests.mail.messages import make_message

MAILS = 60
GATEWAYS = 3


def drop_mails(folder: Path, count: int) -> None:
    """Deliver `count` numbered mails into the drop folder's new/, as an MTA would."""
    make_maildir(folder)
    for number in range(count):
        (folder / "new" / f"1700000000.M{number}P1.host").write_bytes(make_message(number))


def run_together(commands: list[list[str]], env: dict[str, str]) -> list[tuple[int, str]]:
    """Start the commands at once and return each one's exit status and standard error."""
    started = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for command in commands
    ]
    results = []
    for process in started:
        _out, err = process.communicate(timeout=300)
        results.append((process.returncode, err.decode(errors="replace")))
    return results


@pytest.mark.parametrize(
    "args",
    [("gateway", "poll", "--once"), ("mail", "import", "{folder}")],
    ids=["gateway-poll", "mail-import"],
)
def test_three_gateways_on_one_drop_folder_take_every_mail_once(
    app: Flask, args: tuple[str, ...]
) -> None:
    folder = Path(app.config["MAILDROP_DIR"])
    drop_mails(folder, MAILS)
    argv = helpdesk_command(*(arg.format(folder=folder) for arg in args))
    results = run_together([argv] * GATEWAYS, gateway_env(app, {}))
    for status, err in results:
        assert "database is locked" not in err
        assert "No such file or directory" not in err
        assert status == 0, err
    assert counts() == (MAILS, MAILS)
    assert os.listdir(folder / "new") == []
    assert len(os.listdir(folder / "cur")) == MAILS


def test_a_writer_waits_for_a_long_batch_instead_of_failing(app: Flask) -> None:
    """Another gateway's batch may hold SQLite's write lock for seconds: wait it out."""
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holding = threading.Event()

    def hold_the_write_lock() -> None:
        """Hold the lock longer than pysqlite's default five seconds of patience."""
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(6)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    holding.wait(10)
    try:
        health.record_success("maildir:/drop", waiting=0)
    finally:
        holder.join()
    assert health.snapshot(with_failed=False).heartbeats[0].mailbox == "maildir:/drop"
