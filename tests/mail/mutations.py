"""Random mutations of the tricky mail corpus, for the parser's and the intake's fuzz tests
(and bench/fuzz_ingest.py, which runs as many as you like)."""

from __future__ import annotations

import random
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "mail_corpus"
FRAGMENTS = [
    b"=?",
    b"?=",
    b"=?utf-8?b?",
    b"=?iso-8859-1?q?=E9",
    b"\x00",
    b"\xff\xfe",
    b"<",
    b">",
    b"\r\n",
    b"\n\n",
    b"\n--",
    b"--\n",
    b";",
    b'"',
    b"=",
    b"\nContent-Type: multipart/mixed; boundary=x\n",
    b"\nContent-Transfer-Encoding: base64\n",
    b"\nContent-Type: message/rfc822\n\n",
    b"\nContent-Type: multipart/report; report-type=delivery-status\n",
    b"; charset=utf-7",
    b"; filename*=utf-8''%E2%80%AE",
    b"\nSubject: Re: [INC-000001]\n",
    b"\nIn-Reply-To: <x@y>\n",
    b"\nAuto-Submitted: auto-replied\n",
]


def samples() -> list[bytes]:
    """The corpus mails, in a fixed order."""
    return [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]


def mutate(rng: random.Random, sample: bytes) -> bytes:
    """One random mutation of a corpus mail: one to twelve edits."""
    data = bytearray(sample)
    for _ in range(rng.randint(1, 12)):
        position = rng.randrange(len(data) + 1)
        roll = rng.random()
        if roll < 0.3 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif roll < 0.6:
            data[position:position] = rng.choice(FRAGMENTS)
        elif roll < 0.8:
            del data[position : position + rng.randint(1, 200)]
        elif roll < 0.9:
            data[position:position] = data[position : position + rng.randint(1, 400)] * 3
        else:
            lines = bytes(data).split(b"\n")
            first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[first], lines[second] = lines[second], lines[first]
            data = bytearray(b"\n".join(lines))
    return bytes(data)
