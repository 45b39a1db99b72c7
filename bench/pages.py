"""Benchmark whole pages over real HTTP: gunicorn, one worker with two threads, SQLite.

    python bench/pages.py --n 100000          # build 100k incidents, time, delete
    python bench/pages.py --n 1000000 --keep  # keep the database and reuse it next time

Uses the data of bench/queues.py (its builder, and its database when that was kept), then
makes one requester a heavy one: thousands of incidents reported and thousands more on
which they are copied, in every state and over the whole history. Signs in as a service
desk agent and as that requester and prints p50/p95 of each page as the browser gets it:
"My incidents" per tab (first page and a deep page), the agent queues' first pages, and
the agent's incident page.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import func, insert, select, update

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import queues as dataset  # noqa: E402  (bench/queues.py: the shared data builder)

from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from helpdesk.models import Incident, User, incident_participants  # noqa: E402
from helpdesk.reads.queues import QUEUES  # noqa: E402

PASSWORD = "bench-password-1"
AGENT_ID = 1  # a service desk agent in bench/queues.py's data
# The heavy requester reports one incident in REPORTED_EVERY and is copied on one in
# COPIED_EVERY (at least the MINIMUM of each, so a small database still has thousands).
REPORTED_EVERY, COPIED_EVERY, MINIMUM = 300, 450, 2_000
# Everyone else: one incident in PARTICIPANT_EVERY has a participant, as in real use.
PARTICIPANT_EVERY = 20


def heavy_requester_id() -> int:
    """The first requester after the agents (bench/queues.py numbers agents first)."""
    return sum(dataset.TEAMS.values()) + 1


def add_heavy_requester(n: int) -> None:
    """Give one requester thousands of incidents, reported and copied, and copy other
    requesters on a share of the rest; set the two sign-in passwords."""
    session = db.session
    heavy = heavy_requester_id()
    reported = max(1, min(REPORTED_EVERY, n // MINIMUM))
    copied = max(1, min(COPIED_EVERY, n // MINIMUM))
    session.execute(update(Incident).where(Incident.id % reported == 0).values(requester_id=heavy))
    rows = [
        {"incident_id": ident, "user_id": heavy if ident % copied == 1 else heavy + 1 + ident % 997}
        for ident in range(1, n + 1)
        if ident % reported and (ident % copied == 1 or ident % PARTICIPANT_EVERY == 3)
    ]
    for start in range(0, len(rows), dataset.BATCH):
        session.execute(insert(incident_participants), rows[start : start + dataset.BATCH])
    for user_id in (AGENT_ID, heavy):
        user = session.get(User, user_id)
        assert user is not None
        user.set_password(PASSWORD)
    session.commit()


def create_missing_indexes() -> None:
    """A kept database from before an index was declared gets it (create_all does not)."""
    for table in db.metadata.sorted_tables:
        for index in table.indexes:
            index.create(db.engine, checkfirst=True)


def prepare(n: int, seed: int, database: Path, fresh: bool) -> dict[str, str]:
    """Build (or reuse) the database; return the heavy requester's and the agent's emails
    and the reference of a recent incident in progress."""
    app = create_app(
        {
            "INSTANCE_PATH": str(database.parent),
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{database}",
        }
    )
    with app.app_context():
        if fresh:
            print(f"building {n:,} incidents in {database}")
            dataset.build(n, seed)
        else:
            print(f"reusing {database}")
        heavy = db.session.get(User, heavy_requester_id())
        assert heavy is not None
        if heavy.password_hash is None:
            add_heavy_requester(n)
        create_missing_indexes()
        reported = db.session.scalar(select(func.count()).where(Incident.requester_id == heavy.id))
        copied = db.session.scalar(
            select(func.count()).where(incident_participants.c.user_id == heavy.id)
        )
        print(f"heavy requester {heavy.email}: {reported:,} reported, {copied:,} copied")
        incident = db.session.scalar(
            select(Incident.reference)
            .where(Incident.status == "in_progress")
            .order_by(Incident.id.desc())
            .limit(1)
        )
        agent = db.session.get(User, AGENT_ID)
        assert agent is not None
        return {"email": heavy.email, "agent": agent.email, "incident": str(incident)}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database: Path, port: int) -> subprocess.Popen[bytes]:
    """Start gunicorn (one worker, two threads) on the database and wait until it answers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise SystemExit(f"gunicorn is not installed beside {sys.executable}: pip install gunicorn")
    env = dict(
        os.environ,
        HELPDESK_INSTANCE=str(database.parent),
        HELPDESK_DATABASE_URL=f"sqlite:///{database}",
        HELPDESK_SECRET_KEY="bench",
    )
    command = [str(gunicorn), "--workers", "1", "--threads", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "helpdesk:create_app()"]
    server = subprocess.Popen(command, env=env, cwd=BENCH.parent)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def signed_in(base: str, email: str) -> urllib.request.OpenerDirector:
    """A cookie-keeping client signed in as `email`."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in form"
    data = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    landing = opener.open(f"{base}/login", urllib.parse.urlencode(data).encode())
    assert "/login" not in landing.geturl(), f"could not sign in as {email}"
    return opener


def fetch(opener: urllib.request.OpenerDirector, url: str) -> bytes:
    """The whole page; anything but 200 OK (a redirect to sign in, say) stops the run."""
    with opener.open(url) as response:
        assert response.status == 200 and response.geturl() == url, url
        return bytes(response.read())


def timed(opener: urllib.request.OpenerDirector, url: str, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of fetching the page, in milliseconds, caches warm."""
    fetch(opener, url)
    return dataset.timed(lambda: fetch(opener, url), repeat)


def last_page(opener: urllib.request.OpenerDirector, url: str) -> int:
    """The number of pages a portal tab has, read from its pager ("Page 1 of N")."""
    found = re.search(r"Page 1 of (\d+)", fetch(opener, url).decode())
    return int(found.group(1)) if found else 1


def run(base: str, facts: dict[str, str], repeat: int) -> None:
    """Time every page and print a table, with the machine's load before and after (the
    figures mean little on a busy machine)."""
    user = signed_in(base, facts["email"])
    print(f"\nload average before: {os.getloadavg()[0]:.2f}")
    print(f"{'page':<40} {'p50':>8} {'p95':>8}   (ms, {repeat} requests each)")
    for tab in ("open", "closed"):
        url = f"{base}/my/incidents?tab={tab}"
        deep = max(1, last_page(user, url) * 4 // 5)
        report(f"my incidents, {tab}, page 1", timed(user, url, repeat))
        report(f"my incidents, {tab}, page {deep}", timed(user, f"{url}&page={deep}", repeat))
    agent = signed_in(base, facts["agent"])
    for name in QUEUES:
        report(f"queue {name}, first page", timed(agent, f"{base}/agent/queues/{name}", repeat))
    incident = f"{base}/agent/incidents/{facts['incident']}"
    report(f"incident page {facts['incident']}", timed(agent, incident, repeat))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def report(label: str, figures: tuple[float, float]) -> None:
    """Print one row of the table."""
    print(f"{label:<40} {figures[0]:>8.1f} {figures[1]:>8.1f}", flush=True)


def main() -> None:
    """Parse arguments, prepare the data, serve it with gunicorn and time the pages."""
    args = dataset.arguments(__doc__.splitlines()[0], repeat=40)
    folder, database, fresh = dataset.bench_database(args.n, args.keep)
    facts = prepare(args.n, args.seed, database, fresh)
    port = free_port()
    server = start_server(database, port)
    try:
        run(f"http://127.0.0.1:{port}", facts, args.repeat)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
