#!/usr/bin/env bash
# The one command that installs what the test suite needs and runs it, on a fresh Debian
# machine or a developer's checkout:
#
#     bash tests/run.sh [pytest arguments...]
#
# 1. Debian packages the integration tests use (Chromium and its driver, Dovecot IMAP,
#    PostgreSQL), installed with apt-get when missing -- as root, or through sudo.
# 2. A virtual environment in .venv with the project and its [test] extras (reinstalled
#    only when pyproject.toml changes).
# 3. ruff check and mypy (type hints are checked, not decoration), then pytest; the exit
#    status is pytest's. Without arguments the whole suite runs on one pytest-xdist worker
#    per core (-n auto; PYTEST_XDIST_AUTO_NUM_WORKERS=N to choose); with arguments pytest
#    runs exactly those, in one process, so one file starts no workers (add -n auto to them
#    for a big selection).
#
# Without the Debian packages the tests that need them are skipped, unless CI=true, in
# which case they fail: CI must not pass by skipping.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
DEBIAN_PACKAGES=(chromium chromium-driver dovecot-imapd postgresql openssl)

say() {
    printf '\n==> %s\n' "$*"
}

missing_debian_packages() {
    local package
    for package in "${DEBIAN_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
            printf '%s\n' "$package"
        fi
    done
    if ! "$PYTHON" -c "import ensurepip" 2>/dev/null; then
        printf '%s\n' python3-venv
    fi
}

install_debian_packages() {
    if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
        say "Not a Debian system: install ${DEBIAN_PACKAGES[*]} yourself if you need them."
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_debian_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    local run_as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            say "Not root and no sudo: cannot install ${missing[*]}; tests needing them will skip."
            return 0
        fi
        run_as_root=(sudo)
    fi
    say "Installing Debian packages: ${missing[*]}"
    "${run_as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${run_as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_python_packages() {
    if [ ! -x .venv/bin/python ]; then
        say "Creating .venv with $("$PYTHON" --version)"
        "$PYTHON" -m venv .venv
    fi
    local stamp
    stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -e "$stamp" ]; then
        say "Installing the project and its test dependencies into .venv"
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e '.[test]'
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}

install_debian_packages
install_python_packages
say "ruff check"
.venv/bin/ruff check .
say "mypy"
.venv/bin/mypy
if [ "$#" -eq 0 ]; then
    # Each worker runs its own PostgreSQL, Dovecot and Chromium; an idle worker takes
    # tests from a busy one, so a slow test late in the run does not leave a core idle.
    set -- -n auto --dist worksteal
fi
say "pytest $*"
exec .venv/bin/python -m pytest "$@"
