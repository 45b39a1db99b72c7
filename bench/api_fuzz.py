"""Fuzz the REST API for longer than the test suite does: schemathesis over every operation
of /api/v1/openapi.json, with a token of each role and without one.

    python bench/api_fuzz.py                  # 200 generated requests per operation
    python bench/api_fuzz.py --examples 1000  # longer
    python bench/api_fuzz.py --only incidents # operations whose path holds this text

tests/api/test_contract.py runs the same checks with a few examples per operation on every
CI run; this script is for the long runs. It prints, per operation, how many requests were
sent and how long they took, then every failure schemathesis found (an answer that is a
5xx, or whose status, media type or body the document does not allow), and exits 1 if
there was one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpdesk import create_app
from helpdesk.extensions import db
from tests.api.contract import Seeded, check, operations, seed

CONFIG = {"SECRET_KEY": "fuzz", "TESTING": True, "RATELIMIT_ENABLED": False}


def fuzz(examples: int, only: str) -> int:
    """Run every chosen operation on a fresh SQLite instance; return how many failed."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance, **CONFIG})
        with app.app_context():
            db.create_all()
            seeded = seed()
            chosen = [op for op in operations(app) if only in op.path]
            return sum(_fuzz_one(operation, seeded, examples) for operation in chosen)


def _fuzz_one(operation: schemathesis.APIOperation, seeded: Seeded, examples: int) -> int:
    """Fuzz one operation and print how it went; 1 if it broke its contract."""
    name = f"{operation.method.upper():6} {operation.path:60}"
    started = time.perf_counter()
    try:
        sent = check(operation, seeded, examples)
    except Exception as failure:  # schemathesis raises one error saying what failed
        print(f"{name} FAILED\n{failure}\n")
        return 1
    print(f"{name} {sent:6} requests {time.perf_counter() - started:7.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--only", default="", help="only paths that contain this text")
    args = parser.parse_args()
    failures = fuzz(args.examples, args.only)
    print(f"\n{failures} operation(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
