"""A private Dovecot IMAP server on loopback, for the gateway's tests and its benchmark.

Debian's `dovecot-imapd` is started with a generated config (`dovecot -F -c FILE`) in a
temporary folder: its own base_dir, log file, passwd-file users and Maildir store. It
listens on two free 127.0.0.1 ports: one for plain IMAP and STARTTLS, one for implicit
TLS, with a self-signed certificate made by `openssl` for the run. Plaintext login is
allowed (loopback only). XOAUTH2 is offered too: Dovecot 2.3 checks an XOAUTH2 token
against the passdb as if it were the password, so the OAuth account's "password" is
its access token and the real `oauth2_login` path is exercised without a token server.

Used as a library (`start_server()`, `DovecotServer`) by bench/ingest.py, and by the tests
through the fixtures at the end: `dovecot_server` (one per session; skipped when Dovecot is
missing, a failure under CI=true) and `dovecot` (that server with empty folders).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.pg import free_port

USERNAME = "support"
OAUTH_USERNAME = "oauth-support"
START_TIMEOUT_SECONDS = 20

CONFIG = """\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{folder}/cert.pem
ssl_key = <{folder}/key.pem
{ssl_dh}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
mail_location = maildir:{folder}/mail/%u
first_valid_uid = {uid}
first_valid_gid = {gid}
{run_as}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/home/%u
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


class DovecotUnavailable(RuntimeError):
    """Dovecot (or openssl) is not installed, or the server would not start."""


def find_dovecot() -> str:
    """Return the path of the dovecot binary, or explain how to get it."""
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and Path(candidate).exists():
            return candidate
    raise DovecotUnavailable(
        "Dovecot is not installed; install it with `apt-get install dovecot-imapd` "
        "or run `bash tests/run.sh`."
    )


def make_certificate(folder: Path) -> None:
    """Write a self-signed certificate for 127.0.0.1 (cert.pem, key.pem) into `folder`."""
    if not shutil.which("openssl"):
        raise DovecotUnavailable("openssl is not installed (needed for the test certificate)")
    command = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DovecotUnavailable(f"openssl could not make a certificate: {done.stderr.strip()}")


class DovecotServer:
    """One throw-away Dovecot: start() it, talk to it, restart() it to drop connections."""

    def __init__(self) -> None:
        """Prepare a fresh folder, accounts with random passwords, and two free ports."""
        self.binary = find_dovecot()
        self.folder = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        self.folder.chmod(0o755)  # mail processes run as an unprivileged user when we are root
        self.host = "127.0.0.1"
        self.username = USERNAME
        self.password = secrets.token_urlsafe(12)
        self.oauth_username = OAUTH_USERNAME
        self.oauth_token = "ya29." + secrets.token_urlsafe(24)
        self.port = 0
        self.tls_port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def cert_file(self) -> str:
        """The self-signed certificate, for clients that must trust it."""
        return str(self.folder / "cert.pem")

    def _mail_owner(self) -> tuple[int, int]:
        """The uid/gid that owns the mail: ourselves, or `nobody` when running as root."""
        if os.geteuid() != 0:
            return os.getuid(), os.getgid()
        account = pwd.getpwnam("nobody")
        return account.pw_uid, account.pw_gid

    def _write_config(self) -> Path:
        """Write dovecot.conf, the passwd-file and the mail folders for the current ports."""
        uid, gid = self._mail_owner()
        run_as = ""
        if os.geteuid() != 0:
            user = pwd.getpwuid(uid).pw_name
            run_as = f"default_internal_user = {user}\ndefault_login_user = {user}"
        dh = Path("/usr/share/dovecot/dh.pem")
        config = CONFIG.format(
            folder=self.folder,
            port=self.port,
            tls_port=self.tls_port,
            uid=uid,
            gid=gid,
            run_as=run_as,
            ssl_dh=f"ssl_dh = <{dh}" if dh.exists() else "",
        )
        path = self.folder / "dovecot.conf"
        path.write_text(config)
        (self.folder / "passwd").write_text(
            f"{self.username}:{{PLAIN}}{self.password}\n"
            f"{self.oauth_username}:{{PLAIN}}{self.oauth_token}\n"
        )
        for sub in ("mail", "home"):
            (self.folder / sub).mkdir(exist_ok=True)
            os.chown(self.folder / sub, uid, gid)
        return path

    def start(self) -> None:
        """Start the server (on new free ports the first time) and wait until it answers."""
        if not (self.folder / "cert.pem").exists():
            make_certificate(self.folder)
        if not self.port:
            self.port, self.tls_port = free_port(), free_port()
        config = self._write_config()
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "stderr.log", "ab"),  # noqa: SIM115
            start_new_session=True,  # its own process group: stop() ends every child too
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        """Wait for the IMAP greeting on the plain port, or fail with the log's tail."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop(remove=False)
        raise DovecotUnavailable(f"Dovecot did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        """The end of Dovecot's logs, to explain a failure."""
        lines: list[str] = []
        for name in ("stderr.log", "dovecot.log"):
            log = self.folder / name
            if log.exists():
                lines += log.read_text(errors="replace").splitlines()[-15:]
        return "\n".join(lines)

    def stop(self, remove: bool = True) -> None:
        """Stop the server (every connection drops); remove its folder unless told not to.

        Dovecot's master leaves logged-in imap processes serving their clients when it
        exits, so the whole process group it was started in is ended too.
        """
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            with contextlib.suppress(ProcessLookupError):  # nothing was left over
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self) -> None:
        """Stop and start again on the same ports with the same mail: a dropped connection."""
        self.stop(remove=False)
        self.start()

    def forget_failed_logins(self) -> None:
        """Restart, so that the next logins are not slowed down.

        After a failed login Dovecot delays further logins from that address for a while
        (anvil's auth penalty, which has no setting); tests that fail logins on purpose
        call this afterwards.
        """
        self.restart()

    def client(self) -> IMAPClient:
        """A logged-in IMAPClient over plain loopback, for tests to append and inspect mail."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=30)
        client.login(self.username, self.password)
        return client

    def settings(self, **overrides: object) -> dict[str, object]:
        """Helpdesk config keys that point the gateway at this server (plain loopback)."""
        return {
            "INBOUND_TRANSPORT": "imap",
            "IMAP_HOST": self.host,
            "IMAP_PORT": self.port,
            "IMAP_SECURITY": "plain",
            "IMAP_USERNAME": self.username,
            "IMAP_PASSWORD": self.password,
            "IMAP_CA_FILE": self.cert_file,
            **overrides,
        }

    def folder_counts(self, *folders: str) -> dict[str, int]:
        """How many messages each folder holds (0 when it does not exist)."""
        counts = {}
        with self.client() as client:
            for name in folders:
                exists = client.folder_exists(name)
                counts[name] = client.folder_status(name)[b"MESSAGES"] if exists else 0
        return counts


def start_server() -> DovecotServer:
    """Start a private Dovecot and return it (raises DovecotUnavailable)."""
    server = DovecotServer()
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """A private Dovecot for the session (skipped if absent, a failure under CI=true)."""
    try:
        server = start_server()
    except DovecotUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the IMAP tests cannot run: {error}", pytrace=False)
        pytest.skip(f"Dovecot is not available: {error}")
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> DovecotServer:
    """The session's Dovecot, running, with an empty INBOX and no other folders."""
    if dovecot_server.process is None or dovecot_server.process.poll() is not None:
        dovecot_server.start()
    with dovecot_server.client() as client:
        for _flags, _delimiter, name in client.list_folders():
            if name != "INBOX":
                client.delete_folder(name)
        client.select_folder("INBOX")
        uids = client.search("ALL")
        if uids:
            client.delete_messages(uids)
            client.expunge()
    return dovecot_server
