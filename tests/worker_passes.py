"""Running the worker's pass as real processes: two at once on PostgreSQL must share the
work and never do a thing twice (helpdesk.worker)."""

from __future__ import annotations

import subprocess

from flask import Flask

from tests.mail.helpers import gateway_env, helpdesk_command

TICKS = 2


def done_by_job(output: str) -> dict[str, int]:
    """What `sla tick` printed each job did: "Pass: sla_checks=3 reminders=0" -> a dict."""
    line = output.strip().removeprefix("Pass: ")
    return {name: int(count) for name, count in (pair.split("=") for pair in line.split())}


def tick(app: Flask, processes: int = 1) -> list[dict[str, int]]:
    """Run `helpdesk sla tick` in `processes` processes at once on the app's database, and
    return what each pass did by job."""
    env = gateway_env(app, {"DATABASE_URL": app.config["DATABASE_URL"]})
    command = helpdesk_command("sla", "tick")
    started = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(processes)
    ]
    done = []
    for process in started:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode(errors="replace")
        done.append(done_by_job(out.decode()))
    return done
