"""Benchmark mail intake: `helpdesk gateway poll --once` next to the raw IMAP+parse ceiling.

    python bench/ingest.py              # 5,000 messages
    python bench/ingest.py --n 1000     # quicker
    python bench/ingest.py --batch 50   # another IMAP_BATCH_SIZE

Starts a private Dovecot (tests/mail/dovecot.py), loads N generated messages into its INBOX
(mostly new reports from a thousand people, every fifth a reply to an earlier one by
its requester, every fiftieth with a 200 kB attachment, and with --big K the first K with
a 25 MB attachment), then measures, each in a child process that reports its own peak
RSS (VmHWM):

  (a) the raw ceiling: IMAPClient fetching BODY.PEEK[] in batches of IMAP_BATCH_SIZE plus
      `email` parsing (policy.default, the body and attachments decoded), no database;
  (b) `helpdesk gateway poll --once` on a fresh SQLite instance (after `helpdesk init`,
      with the demo's 47 help articles, which acknowledgements offer), sending its outbox
      over SMTP to a sink started here: the pass records each acknowledgement as an outbox
      row, and the drain at its end renders and sends them, timed on its own.

Prints messages per second and peak RSS for both, their ratio, the acknowledgements the
sink received, and the cost per mail: process start, intake (fetch, parse, apply, queue),
and rendering plus sending per acknowledgement. Targets: (b) at least 0.25 of (a) at
N=5000, peak RSS under 200 MB, every new incident acknowledged.
"""

from __future__ import annotations

import argparse
import email
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402

from mail_gateway.imap import quiet  # noqa: E402
from tests.mail.dovecot import DovecotServer, start_server  # noqa: E402
from tests.mail.messages import make_message  # noqa: E402
from tests.mail.smtp_sink import SmtpSink  # noqa: E402

# Enough people that nobody reaches the hourly cap of automatic notices: every new
# incident is acknowledged, as in a day's real mail, rather than skipped by the cap.
PEOPLE = 1000
APPEND_CHUNK = 200
MB = 1024 * 1024


def generate(count: int, big: int = 0) -> list[bytes]:
    """N messages: new reports, replies by their requesters (every fifth), some attachments;
    the first `big` reports carry a 25 MB attachment."""
    messages: list[bytes] = []
    incidents: list[str] = []  # requester of INC-000001, INC-000002, ... in intake order
    for number in range(count):
        if number % 5 == 4 and incidents:
            reference = number % len(incidents)
            sender = incidents[reference]
            subject = f"Re: [INC-{reference + 1:06d}] still broken"
            messages.append(make_message(number, sender=sender, subject=subject))
            continue
        sender = f"Person {number % PEOPLE} <person{number % PEOPLE}@example.org>"
        raw = make_message(number, sender=sender)
        if number < big:
            raw = with_attachment(raw, number, os.urandom(25 * MB), "scan.bin")
        elif number % 50 == 0:
            log = (f"line {number}: printer spooler error 0x{number:08x}\n" * 5000).encode()
            raw = with_attachment(raw, number, log[:200_000], f"spool-{number}.log")
        incidents.append(sender)
        messages.append(raw)
    return messages


def with_attachment(raw: bytes, number: int, data: bytes, filename: str) -> bytes:
    """The message with `data` attached as `filename`."""
    message = email.message_from_bytes(raw, policy=policy.default)
    message.add_attachment(
        data, maintype="application", subtype="octet-stream", filename=f"{number}-{filename}"
    )
    return message.as_bytes()


def load(server: DovecotServer, messages: list[bytes]) -> None:
    """Append the messages to the INBOX with MULTIAPPEND, a chunk at a time."""
    with server.client() as client:
        for start in range(0, len(messages), APPEND_CHUNK):
            client.multiappend("INBOX", messages[start : start + APPEND_CHUNK])


def raw_ceiling(host: str, port: int, user: str, password: str, batch: int) -> None:
    """Child (a): fetch every INBOX message in batches and parse it; print count and seconds."""
    started = time.perf_counter()
    parsed = 0
    with IMAPClient(host, port, ssl=False, ssl_context=ssl.create_default_context()) as client:
        quiet(client)  # as the gateway does: no protocol trace
        client.login(user, password)
        client.select_folder("INBOX", readonly=True)
        uids = sorted(client.search("ALL"))
        for start in range(0, len(uids), batch):
            chunk = uids[start : start + batch]
            for data in client.fetch(chunk, ["BODY.PEEK[]"]).values():
                parse(data[b"BODY[]"])
                parsed += 1
    print(parsed, time.perf_counter() - started)


def parse(raw: bytes) -> None:
    """Parse as the gateway's parser must at least do: headers, text body, attachments."""
    message = email.message_from_bytes(raw, policy=policy.default)
    for name in ("from", "to", "cc", "subject", "message-id", "in-reply-to", "references"):
        message.get(name)
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        body.get_content()
    for part in message.iter_attachments():
        part.get_content()


# Prepended to each child's code: at exit it prints its own peak RSS (VmHWM, in kB). The
# rusage of a child is no use here: Linux carries the parent's high-water mark over to a
# child started with vfork+exec, and this parent holds every generated message.
PEAK_REPORT = (
    "import atexit, re\n"
    "atexit.register(lambda: print('VmHWM', re.search(r'VmHWM:\\s*(\\d+)', "
    "open('/proc/self/status').read()).group(1)))\n"
)


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run `python -c <code>` to the end; return its printed lines, wall seconds and its own
    peak RSS in MB. Its log (stderr) goes to a file, shown only when the child fails."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.run(
            [sys.executable, "-c", PEAK_REPORT + command[0], *command[1:]],
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            log.seek(0)
            sys.exit(
                f"{command} failed ({process.returncode}):\n{process.stdout}{log.read()[-3000:]}"
            )
    lines, _, peak = process.stdout.rpartition("VmHWM ")
    return lines, seconds, int(peak) / 1024


# The demo's 47 help articles, so acknowledgements offer articles as they would in use.
SEED_ARTICLES = (
    "from helpdesk import accounts, create_app\n"
    "from helpdesk.kb import demo_articles\n"
    "with create_app().app_context():\n"
    "    demo_articles.seed(accounts.create_user('kb@bench.example', 'KB author', 'agent'))\n"
)


# Prepended to the gateway child: its outbox drain prints how long it took, so intake and
# delivery (rendering included) are told apart in the same run.
TIMED_DRAIN = (
    "import time\n"
    "from mail_gateway import outbox\n"
    "untimed_drain = outbox.drain\n"
    "def timed_drain(*args, **kwargs):\n"
    "    started = time.perf_counter()\n"
    "    try:\n"
    "        return untimed_drain(*args, **kwargs)\n"
    "    finally:\n"
    "        print('DRAIN', time.perf_counter() - started)\n"
    "outbox.drain = timed_drain\n"
)


def gateway_env(
    server: DovecotServer, sink: SmtpSink, instance: Path, batch: int
) -> dict[str, str]:
    """Environment for `helpdesk` on a fresh instance reading the private Dovecot and
    sending to the sink."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELPDESK_")}
    env["HELPDESK_INSTANCE"] = str(instance)
    settings = {**server.settings(IMAP_BATCH_SIZE=batch), **sink.settings()}
    env.update({f"HELPDESK_{key}": str(value) for key, value in settings.items()})
    return env


def main() -> None:
    """Load the mail, measure (a) and (b), and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--n", type=int, default=5000, help="messages to load (default 5000)")
    options.add_argument("--batch", type=int, default=25, help="IMAP_BATCH_SIZE (default 25)")
    options.add_argument("--big", type=int, default=0, help="messages with a 25 MB attachment")
    options.add_argument("--raw-child", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.raw_child:
        host, port, user, password = json.loads(args.raw_child)
        raw_ceiling(host, int(port), user, password, args.batch)
        return
    server = start_server()
    sink = SmtpSink()
    sink.start()
    instance = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    try:
        measure(server, sink, instance, args.n, args.batch, args.big)
    finally:
        sink.stop()
        server.stop()
        shutil.rmtree(instance, ignore_errors=True)


def measure(
    server: DovecotServer, sink: SmtpSink, instance: Path, count: int, batch: int, big: int
) -> None:
    """Load, then run (a) and (b) as children, and report."""
    started = time.perf_counter()
    messages = generate(count, big)
    size = sum(len(raw) for raw in messages)
    load(server, messages)
    del messages
    print(f"Loaded {count} messages ({size / MB:.1f} MB) in {time.perf_counter() - started:.1f} s")

    credentials = [server.host, str(server.port), server.username, server.password]
    raw_code = f"import runpy; runpy.run_path({__file__!r}, run_name='__main__')"
    # One JSON value after "=": a generated password may start with "-", which argparse
    # would take for an option if it came as a separate argument.
    raw_command = [raw_code, "--batch", str(batch), f"--raw-child={json.dumps(credentials)}"]
    output, _wall, raw_rss = run_child(raw_command)
    parsed, raw_seconds = output.split()
    raw_rate = int(parsed) / float(raw_seconds)
    print(
        f"(a) raw ceiling, IMAPClient fetch + email parse, no database: {parsed} messages "
        f"in {float(raw_seconds):.1f} s = {raw_rate:.0f} msg/s, peak RSS {raw_rss:.0f} MB"
    )

    env = gateway_env(server, sink, instance, batch)
    rate, rss = gateway(env, sink, count)
    print(
        f"ratio (b)/(a): {rate / raw_rate:.2f} (target >= 0.25); "
        f"peak RSS {rss:.0f} MB (target < 200 MB); IMAP_BATCH_SIZE={batch}"
    )


def gateway(env: dict[str, str], sink: SmtpSink, count: int) -> tuple[float, float]:
    """Child (b) on a fresh instance: print its figures and the cost per mail; return its
    rate (messages per second) and peak RSS in MB."""
    helpdesk = "from helpdesk.cli import main; main()"
    run_child([helpdesk, "init"], env)
    run_child([SEED_ARTICLES], env)
    output, seconds, rss = run_child([TIMED_DRAIN + helpdesk, "gateway", "poll", "--once"], env)
    _, start_seconds, _ = run_child([helpdesk, "gateway", "send", "--once"], env)
    timing, _, lines = output.partition("DRAIN ")
    drain_seconds, _, summary = lines.partition("\n")
    drain = float(drain_seconds)
    acknowledged = len(sink.deliveries)
    rate = count / seconds
    print(
        f"(b) helpdesk gateway poll --once, empty SQLite: {count} messages in {seconds:.1f} s "
        f"= {rate:.0f} msg/s, peak RSS {rss:.0f} MB (wall time, process start included)"
    )
    print("    " + (timing + summary).strip().replace("\n", "\n    "))
    print(f"    acknowledgements received by the SMTP sink: {acknowledged}")
    intake = seconds - drain - start_seconds
    print(
        f"    per mail: process start {start_seconds * 1000 / count:.2f} ms "
        f"({start_seconds:.1f} s, a `gateway send --once` with nothing to send), "
        f"intake {intake * 1000 / count:.2f} ms, outbox drain {drain * 1000 / count:.2f} ms "
        f"({drain * 1000 / max(acknowledged, 1):.2f} ms per acknowledgement rendered and sent)"
    )
    return rate, rss


if __name__ == "__main__":
    main()
