"""A year of incidents with their report facts and open spans, bulk-inserted for
bench/reports.py.

Fifteen categories, each tied mostly to one service and one team; priorities skewed
(P1 1%, P2 5%, P3 30%, P4 50%, P5 14%); channels email, portal, phone and api; 25 agents in
six teams. 95% are acknowledged (log-normal times), 15% escalated, 90% resolved (log-normal
resolution times by priority; 5% of those reopened once), the rest cancelled after a while
or, when recent, still open. Resolved incidents close three days later and 30% of the closed
are rated. Targets are met about 85% of the time. A few P1 incidents are major incidents.
Rows go in with Core executemany in big batches, the three big tables' indexes dropped
first and built once at the end; the daily summary (kpi_days) is what
helpdesk.reports.summary.contributions adds up from the same facts and spans, at its levels.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert

from helpdesk.extensions import db
from helpdesk.models import (
    Category,
    Incident,
    IncidentFacts,
    IncidentOpenSpan,
    KpiDay,
    MajorIncident,
    ReportState,
    Service,
    Team,
    User,
    major_incident_services,
    team_members,
)
from helpdesk.models.report import KPI_COUNTS
from helpdesk.reads.queues import OPEN_STATUSES
from helpdesk.reads.report_scope import SUMMARY_STATE
from helpdesk.reports.summary import Contributions, Key, contributions, with_levels
from helpdesk.reports.summary_rows import KEY_COLUMNS

TEAMS = {"Service Desk": 8, "Network": 4, "Desktop": 4, "Applications": 4, "Security": 2}
TEAMS |= {"Infrastructure": 3}
SERVICES = ["Email", "VPN", "Payroll", "Intranet", "CRM", "ERP", "Wi-Fi", "File shares"]
SERVICES += ["Printing", "Telephony"]
# Category: (its usual service, its usual team), by index into SERVICES and TEAMS.
CATEGORIES = {
    "Mailbox": (0, 0),
    "Remote access": (1, 1),
    "Salaries": (2, 3),
    "Intranet pages": (3, 3),
    "Customer records": (4, 3),
    "Orders": (5, 3),
    "Wireless": (6, 1),
    "Shared drives": (7, 5),
    "Printers": (8, 2),
    "Phones": (9, 5),
    "Passwords": (0, 0),
    "Laptops": (None, 2),
    "Accounts": (3, 4),
    "Malware": (None, 4),
    "Other": (None, 0),
}
CATEGORY_WEIGHTS = [1 / (rank + 2) for rank in range(len(CATEGORIES))]
PRIORITY_WEIGHTS = {1: 1, 2: 5, 3: 30, 4: 50, 5: 14}
CHANNEL_WEIGHTS = {"email": 40, "portal": 35, "phone": 15, "api": 10}
OPEN_WEIGHTS = {"new": 15, "assigned": 20, "in_progress": 45, "on_hold": 20}
# Median hours to acknowledge and to resolve, by priority (log-normal, sigma below).
MEDIAN_ACK_HOURS = {1: 0.1, 2: 0.25, 3: 0.5, 4: 1.0, 5: 2.0}
MEDIAN_RESOLVE_HOURS = {1: 4, 2: 8, 3: 24, 4: 48, 5: 96}
SIGMA = 1.2
ACKNOWLEDGED, ESCALATED, RESOLVED, REOPENED = 0.95, 0.15, 0.90, 0.05
MET, RATED, FIRST_CONTACT, OWN_TEAM, OWN_SERVICE = 0.85, 0.30, 0.7, 0.85, 0.8
RATINGS = {1: 5, 2: 5, 3: 10, 4: 30, 5: 50}
CLOSE_AFTER = timedelta(days=3)
CANCEL_AFTER = timedelta(days=30)  # older unresolved incidents were cancelled
REQUESTERS = 5_000
MAJOR_INCIDENTS = 24
ADMIN_ID = 1
BATCH = 50_000
UTC_ZONE = ZoneInfo("UTC")
BIG_TABLES = tuple(model.__tablename__ for model in (Incident, IncidentFacts, IncidentOpenSpan))
# Every facts row names every column (one executemany takes the first row's keys).
UNMEASURED = dict.fromkeys(
    (
        "acknowledged_at",
        "mtta_seconds",
        "response_met",
        "response_judged_at",
        "resolved_at",
        "mttr_seconds",
        "mttr_sla_seconds",
        "first_contact",
        "resolution_met",
        "resolution_judged_at",
        "closed_at",
        "rating",
    )
)


@dataclass
class Catalogue:
    """Who can be picked: each team's agents, and the requesters' first id."""

    agents: dict[int, list[int]]
    first_requester: int


def build(n: int, days: int, seed: int, now: datetime) -> None:
    """Create the schema and insert everything; the big tables' indexes are built last."""
    rng = random.Random(seed)
    db.create_all()
    tables = [db.metadata.tables[name] for name in BIG_TABLES]
    for table in tables:
        for index in table.indexes:
            index.drop(db.engine)
    catalogue = _insert_catalogue(now)
    started = time.perf_counter()
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in BIG_TABLES}
    summary: Contributions = {}
    for ident, incident in enumerate(_incidents(n, days, rng, now, catalogue), start=1):
        for name, found in zip(BIG_TABLES, incident, strict=True):
            rows[name] += found
        _summarise(summary, incident[1][0], incident[2])
        if ident % BATCH == 0 or ident == n:
            _flush(rows, tables)
            print(f"\r  inserted {ident:,} incidents", end="", flush=True)
    print(f" in {time.perf_counter() - started:.0f} s")
    _insert_major_incidents(rng)
    _insert_summary(summary)
    db.session.commit()
    started = time.perf_counter()
    for table in tables:
        for index in table.indexes:
            index.create(db.engine)
    print(f"  indexed in {time.perf_counter() - started:.0f} s")


def _summarise(summary: Contributions, facts: dict[str, Any], spans: list[dict[str, Any]]) -> None:
    """Add what the incident adds to the daily summary (in UTC days)."""
    edges = [(span["started_at"], span["ended_at"]) for span in spans]
    for key, amounts in contributions(facts, edges, UTC_ZONE).items():
        summary.setdefault(key, Counter()).update(amounts)


def _insert_summary(summary: Contributions) -> None:
    """The daily summary's rows, and the zone its days are counted in."""
    db.session.execute(insert(ReportState).values(id=SUMMARY_STATE, zone="UTC"))
    summary = with_levels(summary)
    keys: list[Key] = sorted(summary)
    for start in range(0, len(keys), BATCH):
        db.session.execute(
            insert(KpiDay),
            [
                dict(zip(KEY_COLUMNS, key, strict=True))
                | {name: summary[key].get(name, 0) for name in KPI_COUNTS}
                for key in keys[start : start + BATCH]
            ],
        )
    print(f"  {len(keys):,} daily summary rows")


def _flush(rows: dict[str, list[dict[str, Any]]], tables: list[Table]) -> None:
    """Insert the rows gathered so far, parents first, and empty the lists."""
    for table in tables:
        db.session.execute(insert(table), rows[table.name])
        rows[table.name].clear()


def _insert_catalogue(now: datetime) -> Catalogue:
    """Teams, their agents, an admin, requesters, services and categories."""
    people = [_person(ADMIN_ID, "admin", now)]
    agents: dict[int, list[int]] = {}
    memberships = []
    for team_id, (name, size) in enumerate(TEAMS.items(), start=1):
        db.session.execute(insert(Team).values(id=team_id, name=name, is_service_desk=team_id == 1))
        for _ in range(size):
            agent = len(people) + 1
            people.append(_person(agent, "agent", now))
            agents.setdefault(team_id, []).append(agent)
            memberships.append({"team_id": team_id, "user_id": agent})
    first = len(people) + 1
    people += [_person(first + k, "user", now) for k in range(REQUESTERS)]
    db.session.execute(insert(User), people)
    db.session.execute(insert(team_members), memberships)
    db.session.execute(insert(Service), [{"name": name} for name in SERVICES])
    db.session.execute(insert(Category), [{"name": name} for name in CATEGORIES])
    return Catalogue(agents, first)


def _person(user_id: int, role: str, now: datetime) -> dict[str, Any]:
    """One user row."""
    return {
        "id": user_id,
        "email": f"{role}{user_id}@example.org",
        "name": f"{role.title()} {user_id}",
        "role": role,
        "token_nonce": "x",
        "active": True,
        "created_at": now,
    }


def _incidents(
    n: int, days: int, rng: random.Random, now: datetime, catalogue: Catalogue
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]]:
    """Each incident's row, its facts row and its open spans, oldest first."""
    span = timedelta(days=days)
    start = now - span
    for ident in range(1, n + 1):
        opened = start + span * ((ident - rng.random()) / n)
        facts = _facts(ident, opened, rng, now, catalogue)
        spans, status = _spans(ident, facts, rng, now)
        yield [_incident_row(facts, status, rng, now, catalogue)], [facts], spans


def _lognormal_hours(rng: random.Random, median_hours: float) -> timedelta:
    """A log-normal duration around the median."""
    return timedelta(hours=rng.lognormvariate(math.log(median_hours), SIGMA))


def _facts(
    ident: int, opened: datetime, rng: random.Random, now: datetime, catalogue: Catalogue
) -> dict[str, Any]:
    """The incident's facts row (the dimensions, then the measures)."""
    priority = rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0]
    category = rng.choices(range(len(CATEGORIES)), CATEGORY_WEIGHTS)[0]
    service, team = list(CATEGORIES.values())[category]
    if rng.random() > OWN_SERVICE:
        service = rng.randrange(len(SERVICES))
    if rng.random() > OWN_TEAM:
        team = rng.randrange(len(TEAMS))
    escalated = rng.random() < ESCALATED
    return UNMEASURED | {
        "incident_id": ident,
        "opened_at": opened,
        "priority": priority,
        "channel": rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0],
        "team_id": team + 1,
        "category_id": category + 1,
        "service_id": None if service is None else service + 1,
        "agent_id": rng.choice(catalogue.agents[team + 1]),
        "escalated": escalated,
        **_acknowledgement(opened, priority, rng, now),
        **_resolution(opened, priority, escalated, rng, now),
    }


def _acknowledgement(
    opened: datetime, priority: int, rng: random.Random, now: datetime
) -> dict[str, Any]:
    """When it was acknowledged and whether the response target was met."""
    waited = _lognormal_hours(rng, MEDIAN_ACK_HOURS[priority])
    if rng.random() > ACKNOWLEDGED or opened + waited >= now:
        return {"acknowledged_at": None, "mtta_seconds": None, "response_met": None}
    return {
        "acknowledged_at": opened + waited,
        "mtta_seconds": waited.total_seconds(),
        "response_met": rng.random() < MET,
        "response_judged_at": opened + waited,
    }


def _resolution(
    opened: datetime, priority: int, escalated: bool, rng: random.Random, now: datetime
) -> dict[str, Any]:
    """The latest resolution, its times, reopening, first contact, closure and rating."""
    took = _lognormal_hours(rng, MEDIAN_RESOLVE_HOURS[priority])
    resolved = opened + took
    if rng.random() > RESOLVED or resolved >= now:
        return {"resolved_at": None, "reopened": False, "closed_at": None, "rating": None}
    reopened = rng.random() < REOPENED
    closed = resolved + CLOSE_AFTER if resolved + CLOSE_AFTER < now else None
    rated = closed is not None and rng.random() < RATED
    return {
        "resolved_at": resolved,
        "mttr_seconds": took.total_seconds(),
        "mttr_sla_seconds": took.total_seconds() * rng.uniform(0.25, 0.5),
        "first_contact": not (escalated or reopened) and rng.random() < FIRST_CONTACT,
        "reopened": reopened,
        "resolution_met": rng.random() < MET,
        "resolution_judged_at": resolved,
        "closed_at": closed,
        "rating": rng.choices(list(RATINGS), list(RATINGS.values()))[0] if rated else None,
    }


def _spans(
    ident: int, facts: dict[str, Any], rng: random.Random, now: datetime
) -> tuple[list[dict[str, Any]], str]:
    """The open spans (two when reopened) and the incident's status now."""
    opened, resolved = facts["opened_at"], facts["resolved_at"]
    if resolved is not None:
        status = "closed" if facts["closed_at"] else "resolved"
        if not facts["reopened"]:
            return [_span(ident, opened, resolved)], status
        first = opened + (resolved - opened) * 0.5
        again = first + (resolved - first) * 0.4
        return [_span(ident, opened, first), _span(ident, again, resolved)], status
    if opened < now - CANCEL_AFTER:
        return [_span(ident, opened, opened + CANCEL_AFTER * rng.random())], "cancelled"
    status = rng.choices(list(OPEN_WEIGHTS), list(OPEN_WEIGHTS.values()))[0]
    return [_span(ident, opened, None)], status


def _span(ident: int, started: datetime, ended: datetime | None) -> dict[str, Any]:
    """One open span row."""
    return {"incident_id": ident, "started_at": started, "ended_at": ended}


def _incident_row(
    facts: dict[str, Any], status: str, rng: random.Random, now: datetime, catalogue: Catalogue
) -> dict[str, Any]:
    """The incident itself, consistent with its facts (open ones with their SLA clock)."""
    opened, priority = facts["opened_at"], facts["priority"]
    last = facts["closed_at"] or facts["resolved_at"] or opened
    nobody = status == "new"
    due = opened + timedelta(hours=MEDIAN_RESOLVE_HOURS[priority] * 2)
    is_open = status in OPEN_STATUSES
    return {
        "id": facts["incident_id"],
        "reference": f"INC-{facts['incident_id']:07d}",
        "subject": "Generated",
        "description": "Generated.",
        "channel": facts["channel"],
        "requester_id": catalogue.first_requester + rng.randrange(REQUESTERS),
        "category_id": facts["category_id"],
        "service_id": facts["service_id"],
        "priority": priority,
        "status": status,
        "on_hold_reason": "awaiting_vendor" if status == "on_hold" else None,
        "assigned_team_id": None if nobody else facts["team_id"],
        "assigned_agent_id": None if nobody or status == "assigned" else facts["agent_id"],
        "owner_team_id": 1,
        "created_at": opened,
        "updated_at": last,
        "status_changed_at": last,
        "last_activity_at": last,
        "last_public_activity_at": last,
        "first_response_at": facts["acknowledged_at"],
        "resolution_due_at": due,
        "resolution_breached_at": due if is_open and due < now else None,
        "sla_breaching_from": due - timedelta(hours=1) if is_open and due >= now else None,
        "resolved_at": facts["resolved_at"],
        "closed_at": facts["closed_at"],
        "satisfaction_rating": facts["rating"],
    }


def _insert_major_incidents(rng: random.Random) -> None:
    """Declare a few P1 incidents major incidents on their service (the last one current)."""
    candidates = db.session.execute(
        db.select(IncidentFacts.incident_id, IncidentFacts.opened_at, IncidentFacts.service_id)
        .where(IncidentFacts.priority == 1, IncidentFacts.service_id.is_not(None))
        .order_by(IncidentFacts.incident_id)
    ).all()
    chosen = sorted(rng.sample(candidates, min(MAJOR_INCIDENTS, len(candidates))))
    for number, (incident_id, opened, service_id) in enumerate(chosen, start=1):
        current = number == len(chosen)
        db.session.execute(
            insert(MajorIncident).values(
                id=number,
                incident_id=incident_id,
                public_title=f"Outage {number}",
                public_summary="Generated.",
                declared_by_id=ADMIN_ID,
                declared_at=opened,
                resolved_at=None if current else opened + timedelta(hours=4),
            )
        )
        db.session.execute(
            insert(major_incident_services).values(major_incident_id=number, service_id=service_id)
        )
