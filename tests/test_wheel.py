"""A built wheel is a whole app: `pip install .` in a fresh virtual environment, then
`helpdesk init` and `helpdesk serve` outside the checkout serve pages with their styles.

It builds and installs for real (dependencies from the package index, through pip's
cache), so it takes a minute; it is skipped without network access except under CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.config import PROJECT_ROOT

SOURCES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "helpdesk",
    "mail_gateway",
    "templates",
    "static",
)


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command, failing the test with its output when it fails."""
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    """GET a page, waiting up to 30 s for the server to come up."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the project installed from its built wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in SOURCES:
        origin = PROJECT_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    try:
        run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            work / "dist",
            source,
            cwd=work,
        )
    except AssertionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("cannot build the wheel here (no access to the package index?)")
    run(sys.executable, "-m", "venv", work / "venv", cwd=work)
    wheel = next((work / "dist").glob("helpdesk-*.whl"))
    run(work / "venv" / "bin" / "pip", "install", "-q", wheel, cwd=work)
    return work


@pytest.fixture
def served(installed: Path) -> Iterator[str]:
    """`helpdesk init` then `helpdesk serve` from the installed wheel, in a folder of its own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELPDESK_")}
    env["HELPDESK_INSTANCE"] = str(installed / "instance")
    helpdesk = installed / "venv" / "bin" / "helpdesk"
    run(helpdesk, "init", cwd=installed, env=env)
    port = free_port()
    server = subprocess.Popen(
        [str(helpdesk), "serve", "--port", str(port)],
        cwd=installed,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_installed_wheel_serves_pages_with_their_styles(installed: Path, served: str) -> None:
    package = run(
        installed / "venv" / "bin" / "python",
        "-c",
        "import helpdesk; print(helpdesk.__file__)",
        cwd=installed,
    )
    assert str(installed / "venv") in package  # the wheel's copy, not the checkout
    status, page = fetch(f"{served}/login")
    assert status == 200 and "<form" in page and "/static/css/helpdesk.css" in page
    status, stylesheet = fetch(f"{served}/static/css/helpdesk.css")
    assert status == 200 and "{" in stylesheet
    status, articles = fetch(f"{served}/kb/")
    assert status == 200 and 'type="search"' in articles
