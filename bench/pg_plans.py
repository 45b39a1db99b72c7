"""Check PostgreSQL's plans for the queries of the portal's "my incidents" page.

    python bench/pg_plans.py               # 200,000 incidents (about half a minute)
    python bench/pg_plans.py --n 1000000   # about four minutes

Starts a private PostgreSQL server (tests/pg.py), creates the schema, and COPYs in n incidents
shaped by bench/queues.py's generator (recent ones in every state, old ones almost all
closed), with n/20 requesters of skewed sizes (a few with thousands of incidents), 1-3
participants on one incident in twenty, and one heavy requester who reports one incident in
a hundred and is copied on hundreds more. After ANALYZE, for that heavy requester and a
typical one, it runs EXPLAIN (ANALYZE, BUFFERS) of each query helpdesk.reads.my_incidents
builds for the page, prints the plan's nodes, and times the query as the page runs it
(bound parameters, so after a few runs psycopg prepares it and PostgreSQL may switch to a
generic plan). The server and its data are removed at the end.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, insert, text

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import queues as dataset  # noqa: E402  (bench/queues.py: the shared data generator)

from helpdesk import create_app  # noqa: E402
from helpdesk.core.settings import settings  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from helpdesk.models import Category, Team, User, team_members, utcnow  # noqa: E402
from helpdesk.reads import my_incidents  # noqa: E402
from tests import pg  # noqa: E402

REQUESTER_SHARE = 20  # one requester per 20 incidents
# Requester k (from 0) reports in proportion to 1 / (k + SKEW): a few thousand for the top
# few at a million incidents, a handful for most.
SKEW = 50
HEAVY_REPORTS_ONE_IN, HEAVY_COPIED = 100, 600
PARTICIPANT_ONE_IN = 20
COST = re.compile(r"\(cost=[^)]*\) ")
SLOW_MS = 30


def copy_rows(table: str, rows: Iterator[dict[str, Any]]) -> None:
    """COPY rows (dicts with the same keys, in the same order) into a table through the
    session's psycopg connection."""
    first = next(rows, None)
    if first is None:
        return
    raw = db.session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(first)}) FROM STDIN") as copy,
    ):
        for row in itertools.chain([first], rows):
            copy.write_row(list(row.values()))


@dataclass
class Loaded:
    """Who reported and who is copied on how many incidents, to choose whose pages to see."""

    heavy: int
    reported: Counter[int]
    copied: Counter[int]

    def typical(self) -> int:
        """A requester with the median number of reported incidents, copied on one if any is."""
        counts = sorted(self.reported.values())
        median = counts[len(counts) // 2]
        candidates = [user for user, count in self.reported.items() if count == median]
        return next((user for user in candidates if self.copied[user]), candidates[0])


def load(n: int, seed: int) -> Loaded:
    """Create the schema and load teams, agents, requesters, n incidents and participants;
    then VACUUM ANALYZE, as autovacuum soon would: statistics, and the visibility map that
    lets index-only scans skip the table."""
    rng = random.Random(seed)
    db.create_all()
    now = utcnow()
    agents = add_teams_and_agents(now)
    first = len(agents) + 1
    requesters = list(range(first, first + max(n // REQUESTER_SHARE, 100)))
    copy_rows("users", (person(user, "user", now) for user in requesters))
    names = ("Hardware", "Network", "Email")  # bench/queues.py's category ids 1-3
    db.session.execute(insert(Category), [{"name": name} for name in names])
    loaded = Loaded(requesters[0], Counter(), Counter())
    copy_rows("incidents", incident_rows(n, rng, now, agents, requesters, loaded))
    pairs = participants(n, rng, requesters, loaded.heavy)
    copy_rows("incident_participants", ({"incident_id": i, "user_id": u} for i, u in pairs))
    loaded.copied.update(user for _, user in pairs)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return loaded


def incident_rows(
    n: int,
    rng: random.Random,
    now: datetime,
    agents: list[tuple[int, int]],
    requesters: list[int],
    loaded: Loaded,
) -> Iterator[dict[str, Any]]:
    """bench/queues.py's incidents, reported by the skewed requesters and one in a hundred
    by the heavy one, with the columns it leaves to Python defaults (counted in `loaded`)."""
    weights = list(itertools.accumulate(1 / (k + SKEW) for k in range(len(requesters))))
    for batch in dataset._incident_batches(n, rng, now, agents):
        chosen = rng.choices(requesters, cum_weights=weights, k=len(batch))
        for row, requester in zip(batch, chosen, strict=True):
            heavy = rng.random() * HEAVY_REPORTS_ONE_IN < 1
            row["requester_id"] = loaded.heavy if heavy else requester
            loaded.reported[row["requester_id"]] += 1
            yield row | {
                "last_public_activity_at": row["last_activity_at"],
                "impact": "low",
                "urgency": "medium",
            }


def person(user_id: int, role: str, now: datetime) -> dict[str, Any]:
    """One user row."""
    return {
        "id": user_id,
        "email": f"user{user_id}@example.org",
        "name": f"User {user_id}",
        "role": role,
        "token_nonce": "x",
        "active": True,
        "created_at": now,
    }


def add_teams_and_agents(now: datetime) -> list[tuple[int, int]]:
    """Insert bench/queues.py's teams and their agents; return (agent id, team id) pairs."""
    agents = []
    for team_id, (team, size) in enumerate(dataset.TEAMS.items(), start=1):
        db.session.execute(
            insert(Team).values(id=team_id, name=team, description="", is_service_desk=team_id == 1)
        )
        agents += [(len(agents) + 1 + k, team_id) for k in range(size)]
    copy_rows("users", (person(agent, "agent", now) for agent, _ in agents))
    db.session.execute(insert(team_members), [{"user_id": a, "team_id": t} for a, t in agents])
    return agents


def participants(
    n: int, rng: random.Random, requesters: list[int], heavy: int
) -> list[tuple[int, int]]:
    """(incident, user) pairs: 1-3 people on one incident in twenty, and the heavy requester
    on HEAVY_COPIED more (some of which they reported: the page must count those once)."""
    pairs = {
        (incident, user)
        for incident in range(1, n + 1)
        if rng.random() * PARTICIPANT_ONE_IN < 1
        for user in rng.sample(requesters, rng.randint(1, 3))
    }
    pairs |= {(incident, heavy) for incident in rng.sample(range(1, n + 1), HEAVY_COPIED)}
    return sorted(pairs)


def page_queries(user: User) -> dict[str, Select[Any]]:
    """The page's queries for one user, by name: what they are copied on, and per tab the
    reported count, the first page and a page 4/5 of the way in."""
    size = settings().site.page_size
    queries: dict[str, Select[Any]] = {"copied_on": my_incidents.copied_on_query(user)}
    for tab in my_incidents.TABS:
        statuses = my_incidents._statuses(tab)
        count = my_incidents.reported_count_query(user, statuses)
        deep = (db.session.scalar(count) or 0) // size * 4 // 5 * size
        queries[f"{tab} count"] = count
        queries[f"{tab} page 1"] = my_incidents.reported_page_query(user, statuses, 0, size)
        if deep:
            label = f"{tab} page {deep // size + 1}"
            queries[label] = my_incidents.reported_page_query(user, statuses, deep, deep + size)
    return queries


def explain(query: Select[Any]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) with the values written in: the plan's nodes, the whole
    plan's buffers (its first Buffers line) and its times."""
    sql = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    lines = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).scalars().all()
    buffers = next((line for line in lines if "Buffers:" in line), "    Buffers: none")
    shown = [lines[0], *(line for line in lines[1:] if "->" in line or "Heap Fetches" in line)]
    times = [line for line in lines if "Time:" in line]
    return [COST.sub("", line) for line in [*shown, buffers.lstrip(), *times]]


def report(label: str, user_id: int, repeat: int) -> list[str]:
    """Print the plans and median times of one user's queries; return the warnings."""
    user = db.session.get(User, user_id)
    assert user is not None
    print(f"\n=== {label} (user {user_id}) ===")
    warnings = []
    for name, query in page_queries(user).items():
        rows = len(db.session.execute(query).all())
        median, p95 = dataset.timed(lambda q=query: db.session.execute(q).all(), repeat)
        plan = explain(query)
        print(f"\n{name}: {rows} rows, median {median:.2f} ms, p95 {p95:.2f} ms")
        print("\n".join(f"    {line}" for line in plan))
        if any("Seq Scan on incidents" in line for line in plan) or median > SLOW_MS:
            warnings.append(f"{label}, {name}: median {median:.1f} ms")
    return warnings


def main() -> None:
    """Start PostgreSQL, load the data, and report on a heavy and a typical requester."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="incidents to generate")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    server = pg.start_server()
    try:
        url = server.fresh_database("helpdesk_bench")
        app = create_app(
            {
                "INSTANCE_PATH": str(server.folder / "instance"),
                "SECRET_KEY": "bench",
                "DATABASE_URL": url,
            }
        )
        with app.app_context():
            started = time.perf_counter()
            loaded = load(args.n, args.seed)
            print(f"loaded {args.n:,} incidents in {time.perf_counter() - started:.0f} s")
            warnings = []
            for label, user_id in (("heavy", loaded.heavy), ("typical", loaded.typical())):
                reported, copied = loaded.reported[user_id], loaded.copied[user_id]
                print(f"{label}: {reported:,} reported, {copied:,} copied")
                warnings += report(label, user_id, args.repeat)
            print(f"\n{len(warnings)} queries scan incidents or take over {SLOW_MS} ms")
            print("\n".join(f"    {warning}" for warning in warnings))
            db.session.remove()
            db.engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
