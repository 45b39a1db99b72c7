"""A private PostgreSQL server for the test session, started from Debian's postgresql package.

The server lives in a temporary folder, listens only on 127.0.0.1 on a free port (its unix
socket stays in that folder), uses a random password and is removed at the end. As root,
PostgreSQL refuses to run, so initdb and pg_ctl run as the `postgres` OS user.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "helpdesk"
# Durability is pointless for throw-away test data; these make the server much faster.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed, or cannot run here."""


def find_bindir() -> Path:
    """Return the folder holding initdb and pg_ctl (newest Debian version first, then PATH)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
        "install it with `apt-get install postgresql` or run `bash tests/run.sh`."
    )


def free_port() -> int:
    """Ask the kernel for a port nobody on 127.0.0.1 is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One throw-away server; start() it, ask it for databases, stop() it."""

    def __init__(self, bindir: Path) -> None:
        """Prepare a server from the programs in `bindir`, with a fresh folder and password."""
        self.bindir = bindir
        self.password = secrets.token_urlsafe(16)
        self.port = 0
        self.folder = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        self._run_as: list[str] = []
        self._owner: tuple[int, int] | None = None

    def _hand_folder_to_postgres(self) -> None:
        """PostgreSQL will not run as root: let the `postgres` account own the folder."""
        try:
            account = pwd.getpwnam("postgres")
        except KeyError as error:
            raise PostgresUnavailable("running as root, but there is no `postgres` user") from error
        self._owner = (account.pw_uid, account.pw_gid)
        os.chown(self.folder, *self._owner)
        self._run_as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        """Run one PostgreSQL program (as `postgres` when we are root); raise with its output."""
        command = [*self._run_as, str(self.bindir / args[0]), *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"{args[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout}"
            )

    def start(self) -> None:
        """Create a cluster with a password-protected superuser and start it on a free port."""
        if os.geteuid() == 0:
            self._hand_folder_to_postgres()
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if self._owner:
            os.chown(password_file, *self._owner)
        data = str(self.folder / "data")
        self._run(
            "initdb",
            f"--pgdata={data}",
            f"--username={SUPERUSER}",
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--no-sync",
        )
        password_file.unlink()
        for attempt in range(3):
            self.port = free_port()
            try:
                log = str(self.folder / "server.log")
                self._run(
                    "pg_ctl",
                    "start",
                    "--wait",
                    "--timeout=60",
                    f"--pgdata={data}",
                    f"--log={log}",
                    f"--options={self._server_options()}",
                )
                return
            except PostgresUnavailable as error:
                if attempt == 2:  # the port may have been taken in between; try another
                    raise PostgresUnavailable(f"{error}\n{self._log_tail()}") from error

    def _log_tail(self) -> str:
        """The end of the server log, to explain a failed start."""
        log = self.folder / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""

    def _server_options(self) -> str:
        """Command-line settings: loopback only, socket in our folder, fast and roomy."""
        settings = [
            "listen_addresses=127.0.0.1",
            f"port={self.port}",
            f"unix_socket_directories={self.folder}",
            "max_connections=200",
            *FAST_SETTINGS,
        ]
        return " ".join(f"-c {setting}" for setting in settings)

    def url(self, database: str = "postgres") -> str:
        """Return a SQLAlchemy URL (psycopg 3 driver) for a database on this server."""
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def fresh_database(self, name: str) -> str:
        """(Re)create an empty database and return its URL."""
        import psycopg

        conninfo = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(conninfo, password=self.password, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if (self.folder / "data" / "postmaster.pid").exists():
            try:
                data = str(self.folder / "data")
                self._run("pg_ctl", "stop", f"--pgdata={data}", "--mode=immediate", "--wait")
            except PostgresUnavailable:
                pass  # already gone; the folder is removed either way
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """Find PostgreSQL, start a private server, and return it (raises PostgresUnavailable)."""
    server = PostgresServer(find_bindir())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
