"""Benchmark monitoring alerts through the API on SQLite (or PostgreSQL): a flood of one
alert, and a storm of many alerts in one group, each sent as the monitoring sends it.

    python bench/alerts.py                       # 2,000 repeats, a storm of 500 alerts
    python bench/alerts.py --repeats 10000 --storm 2000
    python bench/alerts.py --database-url postgresql+psycopg://...

Prints, for each part, the median and 90th percentile time of one request (from the test
client to the answer, the commit included), the rate that makes per minute from one
process, how many incidents resulted (one each) and the occurrences counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpdesk import accounts, api_tokens, create_app
from helpdesk.extensions import db
from helpdesk.models import AlertGroup, Incident
from tests.alerts.payloads import alertmanager, alertmanager_alert

URL = "/api/v1/alerts/alertmanager"


def timed(client: Any, payloads: list[dict[str, Any]], headers: dict[str, str]) -> list[float]:
    """Post each payload; return each request's time in ms."""
    took = []
    for payload in payloads:
        started = time.perf_counter()
        answer = client.post(URL, json=payload, headers=headers)
        took.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 202, answer.get_data(as_text=True)
    return took


def counts() -> tuple[int, int]:
    """Incidents so far, and the occurrences their alert groups counted."""
    incidents = db.session.scalar(select(func.count(Incident.id))) or 0
    return incidents, db.session.scalar(select(func.sum(AlertGroup.occurrences))) or 0


def report(name: str, took: list[float], before: tuple[int, int]) -> None:
    """One part's times, and the incidents and occurrences it added."""
    median = statistics.median(took)
    p90 = statistics.quantiles(took, n=10)[-1]
    per_minute = 60_000 / median
    after = counts()
    incidents, occurrences = after[0] - before[0], after[1] - before[1]
    print(
        f"{name:8} {len(took):6} requests  median {median:6.2f} ms  p90 {p90:6.2f} ms  "
        f"{per_minute:8,.0f}/min  incidents {incidents}  occurrences {occurrences}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--storm", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        config: dict[str, Any] = {
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
        if args.database_url:
            config["DATABASE_URL"] = args.database_url
        app = create_app(config)
        with app.app_context():
            db.drop_all()
            db.create_all()
            account = accounts.create_user("monitoring@bench.example", "Monitoring", "user")
            _, token = api_tokens.create_from_command_line(account, "bench", "alerts")
            headers = {"Authorization": f"Bearer {token}"}
            client = app.test_client()
            flood = [alertmanager()] * args.repeats
            before = counts()
            report("flood", timed(client, flood, headers), before)
            storm = [
                alertmanager(alertmanager_alert(fingerprint=f"{n:016x}"), group_key="storm")
                for n in range(args.storm)
            ]
            before = counts()
            report("storm", timed(client, storm, headers), before)
            db.session.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
