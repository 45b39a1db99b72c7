"""Fuzz the whole mail intake: mutated corpus mail through ingest(), nothing may be lost.

    python bench/fuzz_ingest.py                  # 5,000 mutated mails, seed 1
    python bench/fuzz_ingest.py --n 50000 --seed 7 --keep /tmp/findings
    python bench/fuzz_ingest.py --postgres     # on a private PostgreSQL (Debian's package)

Takes the tricky mails of tests/mail_corpus, mutates each copy (bytes flipped, MIME and
encoded-word fragments inserted, runs cut out or repeated, lines swapped; most get a fresh
Message-ID so they are not merely duplicates of one another), and applies it to a fresh
SQLite (or PostgreSQL) instance with `mail_gateway.ingest.ingest`, as the gateway does.
After every mail it checks what the gateway promises:

  - ingest returns an outcome; it never raises;
  - the mail is on record, received or quarantined, by its dedupe key;
  - nothing is logged as an error (a mail quarantined for a bug, not for a refusal);
  - applying the same bytes again is a duplicate, never a second incident or message.

It prints how many mails ended in each outcome, how many the email package could not parse
at all (kept as raw text), and the findings; with --keep, the mails behind them are written
there as .eml files. Exits 1 when anything was found. The test suite runs 120 of these on
each database (tests/service/test_mail_intake.py) and 300 parse-only ones
(tests/test_parse.py); this runs as many as you like.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from mail_gateway import ledger  # noqa: E402
from mail_gateway.ingest import ingest  # noqa: E402
from mail_gateway.parse import parse  # noqa: E402
from tests import pg  # noqa: E402
from tests.mail.mutations import mutate, samples  # noqa: E402


class ErrorLog(logging.Handler):
    """Collects what the gateway logs at ERROR: a mail quarantined for a bug, not a refusal."""

    def __init__(self) -> None:
        """Start with nothing logged."""
        super().__init__(logging.ERROR)
        self.setFormatter(logging.Formatter())
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message with its traceback."""
        self.records.append(self.format(record))


def fresh_id(rng: random.Random, number: int, raw: bytes) -> bytes:
    """Most mails get a Message-ID of their own on top, so that they are applied rather
    than found to be duplicates of an earlier mutation of the same corpus mail."""
    if rng.random() < 0.2:
        return raw
    return f"Message-ID: <fuzz-{number}@fuzz.example>\r\n".encode() + raw


class Findings:
    """What the run found, and where the mails behind it go."""

    def __init__(self, keep: Path | None) -> None:
        """Start with nothing found; `keep` is a folder for the mails behind findings."""
        self.keep = keep
        self.items: list[str] = []
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)

    def add(self, number: int, raw: bytes, what: str) -> None:
        """Record one finding and keep its mail."""
        self.items.append(f"mail {number}: {what}")
        if self.keep is not None:
            (self.keep / f"finding-{number}.eml").write_bytes(raw)


def check_one(
    number: int,
    raw: bytes,
    key: str,
    outcomes: Counter[str],
    findings: Findings,
    errors: ErrorLog,
) -> None:
    """Apply one mail (recorded under `key`) twice and check the promises (see the module doc)."""
    errors.records.clear()
    try:
        result = ingest(raw, f"fuzz-{number}")
    except Exception:
        db.session.rollback()
        findings.add(number, raw, "ingest raised\n" + traceback.format_exc(limit=8))
        return
    outcomes[result.outcome] += 1
    if ledger.received(key) is None:
        findings.add(number, raw, f"not on record after {result.outcome!r} ({key})")
    for record in errors.records:
        findings.add(number, raw, f"{result.outcome}, logged: {record}")
    again = ingest(raw, f"fuzz-{number}-again")
    if again.outcome != "duplicate":
        findings.add(number, raw, f"the same bytes again gave {again.outcome!r}")


def run(count: int, seed: int, keep: Path | None, database_url: str | None) -> int:
    """Fuzz `count` mails; print the summary; return the number of findings."""
    rng = random.Random(seed)
    corpus = samples()
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-fuzz-"))
    settings = {"INSTANCE_PATH": str(folder), "SECRET_KEY": "fuzz", "OUTBOX_TRANSPORT": "file"}
    app = create_app({**settings, **({"DATABASE_URL": database_url} if database_url else {})})
    outcomes: Counter[str] = Counter()
    findings = Findings(keep)
    unparsed = 0
    errors = ErrorLog()
    logging.getLogger("mail_gateway").addHandler(errors)
    for name in ("helpdesk", "mail_gateway"):  # a line per skipped notice drowns the summary
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with app.app_context():
            db.create_all()
            for number in range(count):
                raw = fresh_id(rng, number, mutate(rng, rng.choice(corpus)))
                mail = parse(raw)
                unparsed += any("could not be parsed" in d for d in mail.defects)
                key = ledger.safe_key(mail.dedupe_key)
                check_one(number, raw, key, outcomes, findings, errors)
                if (number + 1) % 1000 == 0:
                    print(f"  {number + 1} mails, {len(findings.items)} findings", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{count} mutated mails (seed {seed}): "
        + ", ".join(f"{k} {v}" for k, v in outcomes.most_common())
    )
    print(f"not parseable by the email package, kept as raw text: {unparsed}")
    print(f"findings: {len(findings.items)}")
    for item in findings.items[:20]:
        print("  " + item.replace("\n", "\n    "))
    return len(findings.items)


def main() -> None:
    """Parse the options and run."""
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--n", type=int, default=5000, help="mutated mails (default 5000)")
    options.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    options.add_argument("--keep", type=Path, help="folder for the mails behind findings")
    options.add_argument(
        "--postgres", action="store_true", help="on a private PostgreSQL (tests/pg.py)"
    )
    args = options.parse_args()
    if not args.postgres:
        sys.exit(1 if run(args.n, args.seed, args.keep, None) else 0)
    server = pg.start_server()
    try:
        found = run(args.n, args.seed, args.keep, server.fresh_database("helpdesk_fuzz"))
    finally:
        server.stop()
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
