"""`helpdesk quickstart` runs everything of the embedded setup from one command: the web
server, and beside it the mail gateway on the drop folder, whose mail links point at the
port quickstart serves on; stopping quickstart stops its helpers too."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from helpdesk import background
from tests.mail.helpers import helpdesk_command
from tests.mail.messages import make_message
from tests.pg import free_port

SUBJECT = "Printer on floor 7 is jammed"
SENDER = "quinn@example.org"


def wait_for(what: str, check: Callable[[], object], seconds: float = 120) -> object:
    """Poll `check` until it returns something true, or fail naming `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"quickstart never got there: {what}")


def page_answers(url: str) -> bool:
    """True once the web server answers the page."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def is_alive(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def incident_for(database: Path, subject: str) -> str | None:
    """The reference of the incident with this subject, once it is committed."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT reference FROM incidents WHERE subject = ?", (subject,)
        ).fetchone()
    return row[0] if row else None


def acknowledgement_in(outbox: Path, reference: str) -> str | None:
    """The text of the mail in the outbox that answers the incident, once written."""
    for path in sorted(outbox.glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        if reference in str(mail["Subject"]) and SENDER in str(mail["To"]):
            return mail.get_body(("plain",)).get_content()
    return None


@pytest.fixture
def quickstart(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, int]]:
    """`helpdesk quickstart --port <free port>` on a fresh instance, as a real process."""
    instance = tmp_path / "instance"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELPDESK_")}
    env.update(HELPDESK_INSTANCE=str(instance), HELPDESK_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    log = (tmp_path / "quickstart.log").open("wb")
    process = subprocess.Popen(
        helpdesk_command("quickstart", "--port", str(port)),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, instance, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        log.close()


def drop(instance: Path, raw: bytes) -> None:
    """Deliver a mail into the drop folder as an MTA does: written in tmp/, moved to new/."""
    folder = instance / "maildrop"
    (folder / "tmp" / "1700000000.M1P1.host").write_bytes(raw)
    os.replace(folder / "tmp" / "1700000000.M1P1.host", folder / "new" / "1700000000.M1P1.host")


def test_quickstart_takes_dropped_mail_links_to_its_port_and_stops_its_helpers(
    quickstart: tuple[subprocess.Popen[bytes], Path, int],
) -> None:
    process, instance, port = quickstart
    wait_for("the page", lambda: page_answers(f"http://127.0.0.1:{port}/"))
    helpers = children_of(process.pid)
    assert len(helpers) == len(background.COMMANDS)

    drop(instance, make_message(7, sender=f"Quinn <{SENDER}>", subject=SUBJECT))
    reference = wait_for(
        "the incident", lambda: incident_for(instance / "helpdesk.sqlite3", SUBJECT)
    )
    text = wait_for(
        "the acknowledgement", lambda: acknowledgement_in(instance / "outbox", reference)
    )
    assert f"http://127.0.0.1:{port}/" in text
    assert ":5000" not in text
    # The gateway marks the file seen just after its commit, which the sender may beat.
    wait_for("the dropped file taken", lambda: not os.listdir(instance / "maildrop" / "new"))

    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    assert not [pid for pid in helpers if is_alive(pid)]


def test_helpers_do_not_outlive_a_killed_quickstart(
    quickstart: tuple[subprocess.Popen[bytes], Path, int],
) -> None:
    process, _instance, port = quickstart
    wait_for("the page", lambda: page_answers(f"http://127.0.0.1:{port}/"))
    helpers = children_of(process.pid)
    assert helpers
    process.kill()
    process.wait()
    wait_for("the helpers to stop", lambda: not [pid for pid in helpers if is_alive(pid)], 30)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:5051"),
        ("0.0.0.0", "http://127.0.0.1:5051"),
        ("::", "http://[::1]:5051"),
        ("::1", "http://[::1]:5051"),
        ("helpdesk.example.org", "http://helpdesk.example.org:5051"),
    ],
)
def test_the_served_url_is_where_this_machine_reaches_the_server(host: str, url: str) -> None:
    assert background.served_url(host, 5051) == url
