"""A hand-built history with known answers, as `helpdesk export` writes it (format 1): nine
incidents around the fortnight 2026-11-02 to 2026-11-15, each event typed out with its
time, and every KPI of that fortnight worked out by hand in EXPECTED (the reasoning is in
the comments). The standard policy ("Office hours", Mon-Fri 09:00-17:00 UTC; P1 15m/4h and
P2 1h/8h around the clock, P3 4h/24h, P4 8h/40h and P5 8h/80h in business hours; the
clocks pause while awaiting the user) judges the targets.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from helpdesk import cli
from helpdesk.priority import priority_label
from tests.conftest import ManualClock
from tests.factories import gen_user
from tests.sla_policy import seed_standard

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 15)
# The facts are derived at this instant (after the fortnight, before I9's resolution is due).
NOW = datetime(2026, 11, 18, 12, 0)

ANN = {"name": "Ann Agent", "email": "ann@example.org"}
BOB = {"name": "Bob Agent", "email": "bob@example.org"}
AGENTS = (ANN, BOB)


def at(text: str) -> str:
    """An instant of 2026 as export writes it, from "11-06 16:00"."""
    return (
        datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M").isoformat(timespec="milliseconds") + "Z"
    )


def event(when: str, action: str, actor: dict[str, str] | None, **details: Any) -> dict[str, Any]:
    """One audit event."""
    return {"actor": actor, "action": action, "details": details, "created_at": at(when)}


def opened(when: str, priority: int, channel: str, actor: dict[str, str]) -> dict[str, Any]:
    """The opening, with the priority and channel the SLA clock reads."""
    return event(when, "opened", actor, channel=channel, priority=priority)


def moved(
    when: str, before: str, after: str, actor: dict[str, str] | None, action: str = "status_changed"
) -> dict[str, Any]:
    """A status change."""
    return event(when, action, actor, **{"from": before, "to": after})


def held(when: str, actor: dict[str, str]) -> dict[str, Any]:
    """On hold, awaiting the user (the clocks pause)."""
    return event(
        when,
        "status_changed",
        actor,
        reason="awaiting_user",
        **{"from": "in_progress", "to": "on_hold"},
    )


def assigned(
    when: str, team: str, agent: dict[str, str] | None, actor: dict[str, str]
) -> dict[str, Any]:
    """An assignment to a team and maybe one of its agents."""
    return event(when, "assigned", actor, team=team, agent=agent["name"] if agent else None)


def replied(when: str, author: dict[str, str], by_agent: bool) -> dict[str, Any]:
    """A public reply."""
    return event(when, "replied", author, message_id=0, by_agent=by_agent)


def incident(
    number: int,
    requester: dict[str, str],
    events: list[dict[str, Any]],
    *,
    channel: str,
    priority: int,
    status: str,
    team: str | None = None,
    agent: dict[str, str] | None = None,
    service: str | None = None,
    category: str | None = None,
    rating: int | None = None,
) -> dict[str, Any]:
    """One incident line; its times are read off its events."""
    times = [entry["created_at"] for entry in events]
    resolved = [e["created_at"] for e in events if e["details"].get("to") == "resolved"]
    closed = [e["created_at"] for e in events if e["details"].get("to") == "closed"]
    standing = status in ("resolved", "closed")
    return {
        "reference": f"INC-{number:06d}",
        "subject": f"Known incident {number}",
        "description": "Built by hand for the reports' tests.",
        "channel": channel,
        "requester": requester,
        "participants": [],
        "category": category,
        "service": service,
        "impact": "medium",
        "urgency": "medium",
        "priority": priority,
        "priority_label": priority_label(priority),
        "priority_override_reason": None,
        "status": status,
        "on_hold_reason": None,
        "assigned_team": team,
        "assigned_agent": agent,
        "owner_team": team,
        "owner_agent": None,
        "created_at": times[0],
        "updated_at": times[-1],
        "last_activity_at": times[-1],
        "first_response_at": None,
        "response_due_at": None,
        "resolution_due_at": None,
        "sla_paused_at": None,
        "resolved_at": resolved[-1] if resolved and standing else None,
        "closed_at": closed[-1] if closed else None,
        "resolution": {"code": "fixed", "label": "Fixed", "notes": "Done.", "workaround": None}
        if resolved
        else None,
        "problem_reference": None,
        "change_reference": None,
        "links": {"related": [], "merged_into": None, "merged_from": [], "reopened_from": None},
        "satisfaction": {"rating": rating, "comment": None} if rating else None,
        "messages": [],
        "audit_events": events,
    }


def users(count: int) -> list[dict[str, str]]:
    """Requesters."""
    return [{"name": f"User {n}", "email": f"user{n}@example.org"} for n in range(1, count + 1)]


U1, U2, U3, U4, U5, U6, U7, U8, U9 = users(9)

HISTORY = [
    # I1, P3 in business hours: opened Friday 16:00, acknowledged by assignment at 16:10
    # (MTTA 600), answered 16:30 (response met), on hold awaiting the user Monday 10:00-12:00,
    # resolved Tuesday 11:00: 91 h wall-clock (327600), and Fri 16-17 + Mon 9-10 + Mon 12-17
    # + Tue 9-11 = 9 business hours (32400) on the clock. One team, one reply: first contact.
    incident(
        1,
        U1,
        [
            opened("11-06 16:00", 3, "portal", U1),
            assigned("11-06 16:10", "Service desk", ANN, ANN),
            moved("11-06 16:10", "new", "assigned", ANN),
            replied("11-06 16:30", ANN, True),
            moved("11-06 16:31", "assigned", "in_progress", ANN),
            held("11-09 10:00", ANN),
            replied("11-09 12:00", U1, False),
            moved("11-09 12:00", "on_hold", "in_progress", U1),
            moved("11-10 11:00", "in_progress", "resolved", ANN, "resolved"),
            moved("11-10 12:00", "resolved", "closed", U1, "confirmed"),
            event("11-10 12:01", "rated", U1, rating=5),
        ],
        channel="portal",
        priority=3,
        status="closed",
        team="Service desk",
        agent=ANN,
        category="Printing",
        rating=5,
    ),
    # I2, P2 on VPN: acknowledged 09:20 (1200), answered 09:50 and again 10:30 (two replies:
    # no first contact), resolved 12:00 (10800 both ways), closed unrated.
    incident(
        2,
        U2,
        [
            opened("11-02 09:00", 2, "email", U2),
            assigned("11-02 09:20", "Network", BOB, BOB),
            moved("11-02 09:20", "new", "assigned", BOB),
            replied("11-02 09:50", BOB, True),
            replied("11-02 10:30", BOB, True),
            moved("11-02 12:00", "assigned", "resolved", BOB, "resolved"),
            moved("11-02 13:00", "resolved", "closed", U2, "confirmed"),
        ],
        channel="email",
        priority=2,
        status="closed",
        team="Network",
        agent=BOB,
        service="VPN",
    ),
    # I3, P2 on VPN: to the service desk, escalated to Network, Bob named at 15:30 (MTTA
    # 5400); nobody answered within the hour: response breached at 15:00. Resolved 20:00
    # (21600), left resolved.
    incident(
        3,
        U3,
        [
            opened("11-04 14:00", 2, "portal", U3),
            assigned("11-04 14:05", "Service desk", None, ANN),
            moved("11-04 14:05", "new", "assigned", ANN),
            event(
                "11-04 14:30",
                "escalated",
                ANN,
                team="Network",
                agent=None,
                reason="Tunnel",
                trigger="agent",
                from_team="Service desk",
            ),
            assigned("11-04 15:30", "Network", BOB, BOB),
            replied("11-04 16:00", BOB, True),
            moved("11-04 20:00", "assigned", "resolved", BOB, "resolved"),
        ],
        channel="portal",
        priority=2,
        status="resolved",
        team="Network",
        agent=BOB,
        service="VPN",
    ),
    # I4, P4 by phone: acknowledged and answered as logged (0). Resolved 10:15, reopened
    # 14:00, resolved Friday 10:00: 24 h (86400); on the clock 0.25 h + Thu 14-17 + Fri 9-10
    # = 4.25 h (15300), the time spent resolved left out. Rated 2.
    incident(
        4,
        U4,
        [
            opened("11-05 10:00", 4, "phone", ANN),
            assigned("11-05 10:00", "Service desk", ANN, ANN),
            moved("11-05 10:00", "new", "assigned", ANN),
            moved("11-05 10:15", "assigned", "resolved", ANN, "resolved"),
            moved("11-05 14:00", "resolved", "in_progress", U4, "reopened"),
            moved("11-06 10:00", "in_progress", "resolved", ANN, "resolved"),
            moved("11-06 11:00", "resolved", "closed", U4, "confirmed"),
            event("11-06 11:01", "rated", U4, rating=2),
        ],
        channel="phone",
        priority=4,
        status="closed",
        team="Service desk",
        agent=ANN,
        category="VPN",
        rating=2,
    ),
    # I5, P1 on Mail on a Saturday: acknowledged 08:10 (600), answered 08:12, resolved
    # 10:00 (7200 both ways, around the clock), closed, rated 4. First contact.
    incident(
        5,
        U5,
        [
            opened("11-07 08:00", 1, "email", U5),
            assigned("11-07 08:10", "Network", BOB, BOB),
            moved("11-07 08:10", "new", "assigned", BOB),
            replied("11-07 08:12", BOB, True),
            moved("11-07 10:00", "assigned", "resolved", BOB, "resolved"),
            moved("11-07 11:00", "resolved", "closed", U5, "confirmed"),
            event("11-07 11:01", "rated", U5, rating=4),
        ],
        channel="email",
        priority=1,
        status="closed",
        team="Network",
        agent=BOB,
        service="Mail",
        rating=4,
    ),
    # I6, P2 on VPN, with Network, nobody named: never acknowledged; response breached
    # 10:00, resolution 17:00; open at the end.
    incident(
        6,
        U6,
        [
            opened("11-11 09:00", 2, "email", U6),
            assigned("11-11 09:05", "Network", None, ANN),
            moved("11-11 09:05", "new", "assigned", ANN),
        ],
        channel="email",
        priority=2,
        status="assigned",
        team="Network",
        service="VPN",
    ),
    # I7, P4, cancelled an hour after it was opened: no target judged.
    incident(
        7,
        U7,
        [
            opened("11-03 09:00", 4, "portal", U7),
            moved("11-03 10:00", "new", "cancelled", ANN, "cancelled"),
        ],
        channel="portal",
        priority=4,
        status="cancelled",
    ),
    # I8, P3 opened before the fortnight (Friday 10-30 09:00), Ann named 09:30, never
    # answered (response breached 13:00, before the fortnight), resolved Monday 10:00:
    # 73 h (262800); Fri 9-17 + Mon 9-10 = 9 business hours (32400). First contact.
    incident(
        8,
        U8,
        [
            opened("10-30 09:00", 3, "email", U8),
            assigned("10-30 09:30", "Service desk", ANN, ANN),
            moved("10-30 09:30", "new", "assigned", ANN),
            moved("11-02 10:00", "assigned", "resolved", ANN, "resolved"),
        ],
        channel="email",
        priority=3,
        status="resolved",
        team="Service desk",
        agent=ANN,
    ),
    # I9, P5, nobody has it: response breached Monday 17:00 (8 business hours); open at the
    # end; its resolution is not due before Friday 11-20.
    incident(
        9,
        U9,
        [opened("11-09 09:00", 5, "portal", U9)],
        channel="portal",
        priority=5,
        status="new",
    ),
]

H = 3600
EXPECTED: dict[str, Any] = {
    "opened": 8,  # I1-I7 and I9
    "resolved": 6,  # I1-I5 and I8
    "backlog_end": 2,  # I6 and I9
    # Acknowledged: I4 0, I1 600, I5 600, I2 1200, I3 5400.
    "mtta_seconds": {"mean": 1560.0, "median": 600.0, "p90": 5400.0},
    # 7200, 10800, 21600, 86400, 262800, 327600.
    "mttr_seconds": {
        "mean": 119400.0,
        "median": 54000.0,
        "p90": 327600.0,
        "by_priority": {
            "P1": {"mean": 7200.0, "median": 7200.0, "p90": 7200.0},
            "P2": {"mean": 16200.0, "median": 16200.0, "p90": 21600.0},
            "P3": {"mean": 295200.0, "median": 295200.0, "p90": 327600.0},
            "P4": {"mean": 86400.0, "median": 86400.0, "p90": 86400.0},
        },
    },
    # 7200, 10800, 15300, 21600, 32400, 32400.
    "mttr_sla_seconds": {"mean": 19950.0, "median": 18450.0, "p90": 32400.0},
    "fcr_rate": 3 / 6,  # I1, I5, I8
    "reopen_rate": 1 / 6,  # I4
    "escalation_rate": 1 / 8,  # I3
    "sla": {
        # Met: I1, I2, I4, I5; breached: I3, I6, I9 (I8's breach came before the fortnight).
        "response_met_rate": 4 / 7,
        # Met: I1, I2, I3, I4, I5, I8; breached: I6.
        "resolution_met_rate": 6 / 7,
    },
    # Closed: I1 (5), I2 (unrated), I4 (2), I5 (4).
    "csat": {"average": 11 / 3, "responses": 3, "closed": 4, "response_rate": 0.75},
    # VPN outages: I2 (Mon 09-12), I3 (Wed 14-20), I6 (Wed 11-11 09:00, unresolved): gaps of
    # 50 h and 157 h. Mail had one outage only.
    "mtbf_seconds_by_service": {"Mail": None, "VPN": (50 * H + 157 * H) / 2},
    "resolved_by_agent": {"ann@example.org": 3, "bob@example.org": 3},
}


def write(path: Path) -> Path:
    """Write the history as a JSON Lines file and return its path."""
    path.write_text("".join(json.dumps(line) + "\n" for line in HISTORY), encoding="utf-8")
    return path


def imported(app: Flask, clock: ManualClock, tmp_path: Path) -> None:
    """The standard policy, the two agents, then the history imported at NOW."""
    seed_standard()
    for person in AGENTS:
        gen_user("agent", name=person["name"], email=person["email"])
    clock.set(NOW)
    path = write(tmp_path / "history.jsonl")
    result = app.test_cli_runner().invoke(cli.main, ["import", str(path)])
    assert result.exit_code == 0, result.output
