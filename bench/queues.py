"""Benchmark the agent console's queue pages on a large SQLite database.

    python bench/queues.py               # 1,000,000 incidents (a few minutes to build)
    python bench/queues.py --n 200000    # quicker
    python bench/queues.py --keep        # keep the database and reuse it next time

Builds a database with N incidents spread over three years (mostly closed, recent ones
open, as in a real helpdesk) with one to four messages each, a few of them mail awaiting
review (more on recent incidents, some forgotten on old ones), then times the first page
and a page deep in the keyset of every queue through helpdesk.reads.queues.load_page, the code
the views use, and prints SQLite's query plans so index use can be checked by eye.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, true

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpdesk import create_app, lifecycle
from helpdesk.extensions import db
from helpdesk.models import (
    NOTE,
    REPLY,
    Category,
    Incident,
    Message,
    Service,
    Team,
    User,
    search,
    team_members,
    utcnow,
)
from helpdesk.reads import queues
from helpdesk.sla.clock import BREACHING_SOON

TEAMS = {"Service Desk": 15, "Network": 6, "Desktop": 6, "Applications": 6, "Security": 4}
REQUESTERS = 20_000
SPAN = timedelta(days=3 * 365)
WORDS = [
    "printer",
    "vpn",
    "email",
    "outlook",
    "laptop",
    "password",
    "reset",
    "wifi",
    "slow",
    "crash",
    "login",
    "payroll",
    "invoice",
    "screen",
    "keyboard",
    "license",
    "teams",
    "disk",
    "backup",
    "server",
    "share",
    "calendar",
    "phone",
    "access",
    "error",
]
FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kai",
    "Lea",
    "Max",
    "Nia",
    "Omar",
    "Pia",
    "Raj",
    "Sue",
    "Tom",
    "Uma",
]
LAST = [
    "Smith",
    "Jones",
    "Patel",
    "Kim",
    "Garcia",
    "Novak",
    "Berg",
    "Rossi",
    "Dubois",
    "Silva",
    "Khan",
    "Meyer",
    "Lind",
    "Costa",
]
# (max age, status weights): recent incidents are in every state, old ones almost all closed.
AGE_BANDS = (
    (
        timedelta(days=14),
        {
            "new": 10,
            "assigned": 10,
            "in_progress": 20,
            "on_hold": 8,
            "resolved": 25,
            "closed": 22,
            "cancelled": 5,
        },
    ),
    (
        timedelta(days=60),
        {"in_progress": 3, "on_hold": 3, "resolved": 2, "closed": 85, "cancelled": 7},
    ),
    (SPAN, {"in_progress": 0.2, "on_hold": 0.3, "closed": 94.5, "cancelled": 5}),
)
BATCH = 20_000
# Chance that a message is mail awaiting review, on recent and on older incidents.
FLAG_RECENT, FLAG_OLD = 0.03, 0.0003
RECENT = timedelta(days=14)


def build(n: int, seed: int) -> None:
    """Create the schema and bulk-insert people, teams, catalogues, n incidents and their
    messages (these from a generator of their own, so the incidents stay as they were)."""
    rng, mail_rng = random.Random(seed), random.Random(f"messages-{seed}")
    db.create_all()
    session = db.session
    session.execute(text("PRAGMA synchronous=OFF"))
    now = utcnow()
    agents = _insert_people(rng, now)
    for model, names in ((Category, ["Hardware", "Network", "Email"]), (Service, WORDS[:8])):
        session.execute(insert(model), [{"name": name} for name in names])
    started = time.perf_counter()
    for number, rows in enumerate(_incident_batches(n, rng, now, agents), start=1):
        session.execute(insert(Incident), rows)
        session.execute(insert(Message), list(_messages(rows, mail_rng, now, len(agents))))
        print(f"\r  inserted {min(number * BATCH, n):,} incidents", end="", flush=True)
    print(f" in {time.perf_counter() - started:.0f} s")
    # Bulk inserts skip the session's upkeep of the search index: index them all at once.
    started = time.perf_counter()
    search.refresh(session.connection(), true())
    session.commit()
    print(f"  indexed them for search in {time.perf_counter() - started:.0f} s")


def _messages(
    incidents: list[dict[str, Any]], rng: random.Random, now: datetime, agent_count: int
) -> Iterator[dict[str, Any]]:
    """Yield one to four messages per incident between its creation and last activity; a
    few are a stranger's mail awaiting review."""
    for row in incidents:
        created, activity = row["created_at"], row["last_activity_at"]
        chance = FLAG_RECENT if now - activity <= RECENT else FLAG_OLD
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            flagged = rng.random() < chance
            yield {
                "incident_id": row["id"],
                "kind": NOTE if flagged else rng.choice((REPLY, REPLY, NOTE)),
                "channel": "email",
                "author_id": rng.randint(agent_count + 1, agent_count + REQUESTERS)
                if flagged
                else rng.choice((row["requester_id"], rng.randint(1, agent_count))),
                "body": "Generated.",
                "needs_review": flagged,
                "created_at": created + (activity - created) * rng.random(),
            }


def _insert_people(rng: random.Random, now: datetime) -> list[tuple[int, int]]:
    """Insert agents in teams and the requesters; return (agent id, team id) pairs."""
    session = db.session
    people, memberships, agents = [], [], []
    user_id = 0
    for team_id, (team, size) in enumerate(TEAMS.items(), start=1):
        session.execute(
            insert(Team).values(id=team_id, name=team, description="", is_service_desk=team_id == 1)
        )
        for _ in range(size):
            user_id += 1
            people.append(_person(user_id, "agent", rng, now))
            memberships.append({"team_id": team_id, "user_id": user_id})
            agents.append((user_id, team_id))
    for _ in range(REQUESTERS):
        user_id += 1
        people.append(_person(user_id, "user", rng, now))
    session.execute(insert(User), people)
    session.execute(insert(team_members), memberships)
    return agents


def _person(user_id: int, role: str, rng: random.Random, now: datetime) -> dict[str, Any]:
    """One user row with a random name."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = f"{name.lower().replace(' ', '.')}.{user_id}@example.org"
    return {
        "id": user_id,
        "email": email,
        "name": name,
        "role": role,
        "token_nonce": "x",
        "active": True,
        "created_at": now,
    }


def _incident_batches(
    n: int, rng: random.Random, now: datetime, agents: list[tuple[int, int]]
) -> Iterator[list[dict[str, Any]]]:
    """Yield batches of incident rows, oldest first, like ids growing over time."""
    first_requester = len(agents) + 1
    batch = []
    for ident in range(1, n + 1):
        created = now - SPAN + SPAN * (ident / n) - timedelta(seconds=rng.randint(0, 60))
        activity = min(created + timedelta(hours=rng.expovariate(1 / 30)), now)
        # Whole minutes for a fifth of the rows: plenty of ties on last_activity_at.
        activity = activity.replace(
            second=0 if rng.random() < 0.2 else activity.second, microsecond=0
        )
        status = _status_for(now - activity, rng)
        team, agent = _assignment(status, rng, agents)
        priority = rng.choices((1, 2, 3, 4, 5), (1, 5, 30, 50, 14))[0]
        batch.append(
            {
                "id": ident,
                "reference": f"INC-{ident:06d}",
                "channel": "email",
                "subject": " ".join(rng.sample(WORDS, 4)),
                "description": "Generated.",
                "requester_id": rng.randint(first_requester, first_requester + REQUESTERS - 1),
                "category_id": rng.randint(1, 3),
                "priority": priority,
                "status": status,
                "on_hold_reason": "awaiting_vendor" if status == "on_hold" else None,
                "assigned_team_id": team,
                "assigned_agent_id": agent,
                "owner_team_id": 1,
                "created_at": created,
                "updated_at": activity,
                "last_activity_at": activity,
                "resolution_due_at": created + timedelta(days=priority),
                **_resolution_clock(status, created, created + timedelta(days=priority), now),
                "resolved_at": activity if status == "resolved" else None,
                "closed_at": activity if status == "closed" else None,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _resolution_clock(
    status: str, created: datetime, due: datetime, now: datetime
) -> dict[str, Any]:
    """What the worker would have stored of an open incident's resolution target counted
    around the clock: breached if its due time has passed, else from when it is breaching
    soon (its warning at 75%, or an hour before it is due)."""
    clock: dict[str, Any] = {"resolution_breached_at": None, "sla_breaching_from": None}
    if status not in queues.OPEN_STATUSES:
        return clock
    if due <= now:
        return clock | {"resolution_breached_at": due}
    warned = created + (due - created) * 0.75
    return clock | {"sla_breaching_from": min(warned, due - BREACHING_SOON)}


def _status_for(age: timedelta, rng: random.Random) -> str:
    """Pick a status with the weights of the incident's age band."""
    weights = next(band for limit, band in AGE_BANDS if age <= limit)
    return rng.choices(list(weights), list(weights.values()))[0]


def _assignment(
    status: str, rng: random.Random, agents: list[tuple[int, int]]
) -> tuple[int | None, int | None]:
    """New incidents have nobody; assigned ones a team and maybe an agent; later ones both."""
    agent, team = rng.choice(agents)
    if status == "new" or (status == "cancelled" and rng.random() < 0.5):
        return None, None
    if status == "assigned" and rng.random() < 0.5:
        return team, None
    return team, agent


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Return median and 95th percentile wall time in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def queue_size(listing: queues.Listing) -> int:
    """Count a queue exactly (the tabs count all queues in one pass)."""
    whole = queues.page_query(replace(listing, size=10**9))
    return db.session.scalar(select(func.count()).select_from(whole.subquery()))


def deep_cursor(listing: queues.Listing, size: int) -> tuple[queues.Cursor | None, int]:
    """Return the cursor after about 80% of the queue (at most 20,000 rows in) and the depth."""
    depth = min(int(size * 0.8), 20_000)
    if depth < 1:
        return None, 0
    rows = db.session.execute(queues.page_query(replace(listing, size=depth - 1))).all()
    last = rows[depth - 1] if len(rows) >= depth else rows[-1]
    return queues.Cursor(last.sort_key, last.id), depth


def measure(listing: queues.Listing, label: str, repeat: int, show_plan: bool) -> None:
    """Print first-page and deep-page timings for one listing, and optionally its plans."""
    size = queue_size(listing)
    first = timed(lambda: queues.load_page(listing), repeat)
    cursor, depth = deep_cursor(listing, size)
    deep_listing = replace(listing, after=cursor)
    deep = timed(lambda: queues.load_page(deep_listing), repeat) if cursor else (0.0, 0.0)
    print(
        f"{label:<34} {size:>9,} {first[0]:>8.2f} {first[1]:>8.2f} "
        f"{depth:>7,} {deep[0]:>8.2f} {deep[1]:>8.2f}"
    )
    if show_plan:
        for name, plan_listing in (("first page", listing), ("deep page", deep_listing)):
            plan = queues.sqlite_plan(queues.page_query(plan_listing))
            PLANS.append((f"{label} — {name}", plan))


PLANS: list[tuple[str, list[str]]] = []


def run_benchmarks(repeat: int) -> None:
    """Time every queue, the other sorts, filters and search; then print the plans."""
    viewer = db.session.get(User, 1)  # a service desk agent
    print(f"\nviewer: {viewer.name}, teams: {', '.join(t.name for t in viewer.teams)}")
    print(
        f"{'listing':<34} {'rows':>9} {'1st med':>8} {'1st p95':>8} "
        f"{'depth':>7} {'deep med':>8} {'deep p95':>8}   (ms)"
    )
    for name in queues.QUEUES:
        default = next(iter(queues.sorts_for(name)))
        listing = queues.Listing(name, viewer, sort=default)
        measure(listing, f"queue {name}", repeat, show_plan=True)
    for name in ("open", "mine", queues.REVIEW):
        sorts = list(queues.sorts_for(name))
        for sort in sorts[1:]:
            listing = queues.Listing(name, viewer, sort=sort)
            measure(listing, f"queue {name}, sort {sort}", repeat, show_plan=name == queues.REVIEW)
    extras = {
        "open, priority P2": queues.Filters(priority=2),
        "open, team Network": queues.Filters(team_id=2),
        "open, status on hold": queues.Filters(status=lifecycle.ON_HOLD),
        "open, search 'vpn crash'": queues.Filters(q="vpn crash"),
        "open, search requester 'ada kim'": queues.Filters(q="ada kim"),
        "open, search INC-000777": queues.Filters(q="inc-000777"),
    }
    for label, filters in extras.items():
        measure(queues.Listing("open", viewer, filters), label, repeat, show_plan=True)
    for words in ("vpn crash", "payroll"):
        listing = queues.Listing("open", viewer, queues.Filters(q=words), sort=queues.RELEVANCE)
        measure(listing, f"open, search '{words}', relevance", repeat, show_plan=True)
    review = {
        "review, status closed": queues.Filters(status=lifecycle.CLOSED),
        "review, search 'vpn'": queues.Filters(q="vpn"),
    }
    for label, filters in review.items():
        listing = queues.Listing(queues.REVIEW, viewer, filters, sort="flagged")
        measure(listing, label, repeat, show_plan=True)
    counts = timed(lambda: queues.queue_counts(viewer), repeat)
    label = f"tab counts (all {len(queues.QUEUES)} queues)"
    print(f"{label:<34} {'':>9} {counts[0]:>8.2f} {counts[1]:>8.2f}")
    PLANS.append(("tab counts", queues.sqlite_plan(queues.counts_query(viewer))))
    print("\nEXPLAIN QUERY PLAN")
    for label, plan in PLANS:
        print(f"\n{label}")
        for line in plan:
            print(f"    {line}")


def arguments(description: str, repeat: int) -> argparse.Namespace:
    """The options every benchmark on this data takes (`repeat`: its default)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=1_000_000, help="incidents to generate")
    parser.add_argument("--repeat", type=int, default=repeat, help="timed runs per figure")
    parser.add_argument("--keep", action="store_true", help="keep and reuse the database")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def bench_database(n: int, keep: bool) -> tuple[Path, Path, bool]:
    """The folder and SQLite file of the data for `n` incidents (shared by the benchmarks
    on it), and whether it must be built: a kept one is reused, any other starts afresh."""
    folder = Path(tempfile.gettempdir()) / f"helpdesk-bench-{n}"
    database = folder / "bench.sqlite3"
    fresh = not (keep and database.exists())
    if fresh and database.exists():
        database.unlink()
    return folder, database, fresh


def main() -> None:
    """Parse arguments, build or reuse the database, and run the benchmarks."""
    args = arguments(__doc__.splitlines()[0], repeat=30)
    folder, database, fresh = bench_database(args.n, args.keep)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{database}",
        }
    )
    with app.test_request_context():
        if fresh:
            print(f"building {args.n:,} incidents in {database}")
            build(args.n, args.seed)
        else:
            print(f"reusing {database}")
        run_benchmarks(args.repeat)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
