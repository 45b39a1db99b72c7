"""The processes `helpdesk quickstart` runs beside its web server, so that the embedded
setup works from one command: the mail gateway takes mail dropped into the Maildir drop
folder and drains the outbox, and the worker records SLA warnings and breaches.

Each is a child process told where the app is served (HELPDESK_BASE_URL), so its mail
links point there. Each runs in a session of its own: a Ctrl+C on the terminal reaches
quickstart alone, which then stops every child with one SIGTERM (the gateway finishes the
message in hand, the worker its job) and waits for it. On Linux a child also gets SIGTERM
when quickstart dies without that chance (SIGKILL), so none is left behind.
"""

from __future__ import annotations

import ctypes
import ipaddress
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# `helpdesk ARGS...` for each background process.
COMMANDS: tuple[tuple[str, ...], ...] = (("gateway", "run"), ("worker",))
STOP_WAIT_SECONDS = 20.0  # a gateway in the middle of a batch finishes it first
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies

log = logging.getLogger(__name__)


def served_url(host: str, port: int) -> str:
    """The address at which a server listening on host:port is reached from this machine:
    a wildcard address (0.0.0.0, ::) becomes loopback, an IPv6 address goes in brackets."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}"


@contextmanager
def running_beside(instance_path: str, base_url: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run the background processes for the block, on this instance and this address,
    and stop them when it ends, however it ends."""
    env = {**os.environ, "HELPDESK_INSTANCE": instance_path, "HELPDESK_BASE_URL": base_url}
    children: list[subprocess.Popen[bytes]] = []
    try:
        for args in COMMANDS:
            children.append(start(args, env))
        yield children
    finally:
        stop(children)


def start(args: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `helpdesk ARGS...` in its own session, with this interpreter."""
    return subprocess.Popen(
        [sys.executable, "-m", "helpdesk", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_ask_for_sigterm_when_orphaned(),
    )


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every child that still runs, then wait for each; kill one that hangs."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("Background process %s did not stop in time: killed", child.pid)
            child.kill()
            child.wait()


def _ask_for_sigterm_when_orphaned() -> Callable[[], None] | None:
    """What the child runs before its program: on Linux, ask for SIGTERM when the parent
    dies. Looked up here, in the parent, so the child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def ask() -> None:
        """Runs in the child between fork and exec."""
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return ask


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM stops quickstart as Ctrl+C does (the server's loop ends
    and its children are stopped) instead of ending the process on the spot."""

    def interrupt(_signum: int, _frame: object) -> None:
        """Raise where the main thread is."""
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
