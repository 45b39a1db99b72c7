"""What acknowledging one new emailed incident costs, part by part.

    python bench/acknowledgement.py            # 500 incidents
    python bench/acknowledgement.py --n 2000

The intake benchmark (bench/ingest.py) compares the gateway with a raw ceiling of IMAP
fetch plus parse. Half that ceiling leaves a few milliseconds a mail; this says how much of
that one acknowledgement takes. On a fresh SQLite instance with the demo's 47 help
articles it opens N incidents from the intake benchmark's generated mail (each from its
own person, acknowledgement off), then times for each, and prints the medians:

  parse    mail_gateway.parse.parse of the raw mail (the gateway's parser)
  rank     kb.search.ids_like_this: the articles matching the mail, from the search index
  offer    kb.helped_links.offers: ranking, reading the articles, signing their links
  queue    notify.intents.queue_email of the acknowledgement: its threading queries and
           the snapshot (not flushed)
  notify   notify.incident_opened: who may be mailed (the hourly cap's query) and queue;
           this is what intake pays
  render   notify.compose.render of that row when the outbox is drained: offer, both
           templates, the MIME message
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpdesk import accounts, create_app, incidents, notify  # noqa: E402
from helpdesk.core.urls import external_url  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from helpdesk.incidents.events import IncidentOpened  # noqa: E402
from helpdesk.kb import (  # noqa: E402
    demo_articles,
    helped_links,
    search,
)
from helpdesk.models import Incident, OutboundEmail  # noqa: E402
from helpdesk.models.kb import PUBLIC  # noqa: E402
from helpdesk.notify.compose import incident_subject, render  # noqa: E402
from helpdesk.notify.intents import queue_email  # noqa: E402
from mail_gateway.parse import parse  # noqa: E402
from tests.mail.messages import make_message  # noqa: E402

TIMED = ("parse", "rank", "offer", "queue", "notify", "render")
T = TypeVar("T")


def main() -> None:
    """Build the instance, time each part for every incident, print the medians."""
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--n", type=int, default=500, help="incidents (default 500)")
    count = options.parse_args().n
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-ack-bench-"))
    app = create_app(
        {"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench", "OUTBOX_TRANSPORT": "file"}
    )
    try:
        with app.app_context():
            db.create_all()
            demo_articles.seed(accounts.create_user("kb@bench.example", "KB author", "agent"))
            report(measure(count))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(count: int) -> dict[str, list[float]]:
    """Open `count` incidents and time each part once per incident, in milliseconds."""
    timings: dict[str, list[float]] = {name: [] for name in TIMED}
    for number in range(count):
        raw = make_message(number, sender=f"Person {number} <person{number}@bench.example>")
        mail = timed(timings["parse"], parse, raw)
        incident = open_quietly(mail.from_address, mail.from_name, mail.subject, mail.text)
        person = incident.requester
        text = f"{incident.subject} {incident.description}"
        timed(timings["rank"], search.ids_like_this, text, PUBLIC, 6)
        timed(timings["offer"], helped_links.offers, incident, person)
        subject = incident_subject(incident)
        link = external_url("portal.incident", reference=incident.reference)
        context = {"link": link}
        queued = timed(
            timings["queue"],
            queue_email,
            person,
            subject,
            "incident_opened",
            incident,
            offers=True,
            context=context,
        )
        db.session.expunge(queued)  # timed for its cost only: one acknowledgement is enough
        timed(timings["notify"], notify.incident_opened, IncidentOpened(incident))
        db.session.flush()
        row = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id.desc())).first()
        row.raw = timed(timings["render"], render, row)  # the file transport writes it as is
        db.session.commit()
    return timings


def open_quietly(address: str, name: str, subject: str, text: str) -> Incident:
    """An emailed incident opened through the service layer, without its acknowledgement."""
    requester = accounts.ensure_user_for_email(address, name)
    report = incidents.IncidentReport(subject, text, channel="email", acknowledge=False)
    return incidents.open_incident(requester, report)


def timed(into: list[float], work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `work`, append its wall time in milliseconds to `into`, return its result."""
    started = time.perf_counter()
    result = work(*args, **kwargs)
    into.append((time.perf_counter() - started) * 1000)
    return result


def report(timings: dict[str, list[float]]) -> None:
    """Print the median of each part."""
    count = len(timings["parse"])
    print(f"{count} emailed incidents, each acknowledged once; median per acknowledgement:")
    for name in TIMED:
        print(f"  {name:8} {statistics.median(timings[name]):6.2f} ms")


if __name__ == "__main__":
    main()
