"""The demo data: every status and priority, real conversations, idempotent, working logins."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpdesk import cli, demo, lifecycle
from helpdesk.extensions import db
from helpdesk.models import (
    EVENT,
    KNOWN_ERROR,
    NOTE,
    REPLY,
    Attachment,
    AuditEvent,
    Change,
    Incident,
    IncidentFacts,
    IncidentLink,
    MajorIncident,
    MajorIncidentSubscription,
    Message,
    OutboundEmail,
    Problem,
    PublicUpdate,
    Team,
    User,
)
from helpdesk.reads.kpis import kpis
from helpdesk.reads.report_scope import ReportFilter, ReportRange
from tests.conftest import make_app

TABLES = (User, Team, Incident, Message, Attachment, AuditEvent, IncidentLink, OutboundEmail)
# The moment the module's demo history leads up to: a Monday just after midnight at the
# start of a month, where a careless "last month" reaches over a weekend and a month end.
NOW = datetime(2026, 6, 1, 0, 30)


def moments() -> list[datetime]:
    """A spread of "now" values: every weekday by night and by day, month and year ends,
    leap day, and the days the clocks change in Europe and the United States."""
    week = [
        datetime(2026, 3, 2, hour) + timedelta(days=day) for day in range(7) for hour in (3, 14)
    ]
    edges = [
        datetime(2026, 1, 1, 0, 5),
        datetime(2025, 12, 31, 23, 55),
        datetime(2026, 2, 28, 16, 59),
        datetime(2028, 2, 29, 8, 0),
        datetime(2026, 3, 29, 1, 30),  # EU clocks go forward
        datetime(2026, 10, 25, 0, 59),  # EU clocks go back
        datetime(2026, 3, 8, 7, 0),  # US clocks go forward
        datetime(2026, 11, 1, 6, 0),  # US clocks go back
        datetime(2026, 5, 31, 23, 59),
        datetime(2026, 8, 3, 5, 5),  # a Monday at 05:05
        datetime(2026, 12, 2, 5, 5),  # a Wednesday at 05:05
    ]
    return week + edges


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app with the demo loaded, shared by this module's read-mostly tests."""
    app = make_app(tmp_path_factory.mktemp("demo") / "instance")
    with app.app_context():
        assert demo.load_demo(now=NOW) == 60
        yield app
        db.session.remove()


def count(model: type, *conditions: object) -> int:
    """Count the rows of a model matching the conditions."""
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_every_status_and_priority_is_present(demo_app: Flask) -> None:
    statuses = dict(
        db.session.execute(select(Incident.status, func.count()).group_by("status")).all()
    )
    priorities = {p for (p,) in db.session.execute(select(Incident.priority).distinct())}
    assert set(statuses) == set(lifecycle.STATUSES)
    assert all(number >= 4 for number in statuses.values())
    assert priorities == {1, 2, 3, 4, 5}
    assert count(Incident) == 60
    reasons = db.session.scalars(
        select(Incident.on_hold_reason).where(Incident.status == lifecycle.ON_HOLD)
    ).all()
    assert set(reasons) == set(lifecycle.HOLD_REASONS)


def test_people_and_teams(demo_app: Flask) -> None:
    desk = db.session.scalar(select(Team).where(Team.is_service_desk))
    assert desk is not None and desk.name == "Service Desk"
    assert count(User, User.role == "agent") == 3
    assert count(User, User.role == "admin") == 1
    assert count(User, User.role == "user") == 5
    assert all(agent.teams for agent in db.session.scalars(select(User).where(User.role != "user")))


def test_incidents_have_conversations_and_outcomes(demo_app: Flask) -> None:
    agents = select(User.id).where(User.role == "agent")
    by_agents = Message.author_id.in_(agents)
    assert count(Message, Message.kind == NOTE) >= 10
    assert count(Message, Message.kind == EVENT) >= 1  # the merge
    assert count(Message, Message.kind == REPLY, by_agents) >= 20
    assert count(Message, Message.kind == REPLY, ~by_agents) >= 80
    assert count(Message, Message.email_message_id.is_not(None)) >= 5
    assert count(Attachment) >= 3
    assert count(Incident, Incident.resolution_code.is_not(None)) >= 20
    assert count(Incident, Incident.satisfaction_rating.is_not(None)) >= 8
    assert count(Incident, Incident.merged_into_id.is_not(None)) == 1
    assert count(IncidentLink) >= 2
    assert count(Message, Message.needs_review.is_(True)) >= 2  # the Needs review queue
    assert count(AuditEvent, AuditEvent.action == "reopened") >= 1
    assert count(OutboundEmail) == 0  # notifications were suppressed


def test_the_process_beyond_incidents_is_there_to_see(demo_app: Flask) -> None:
    """An ongoing major incident with an update and subscribers, a known error linked to
    two incidents, and a completed change: the banner, status page, problem and change
    pages have something to show."""
    major = db.session.scalars(select(MajorIncident)).one()
    assert major.is_current and major.incident.priority == 1
    assert count(PublicUpdate) == 1 and count(MajorIncidentSubscription) >= 2
    known = db.session.scalars(select(Problem)).one()
    assert known.status == KNOWN_ERROR and count(Incident, Incident.problem_id == known.id) == 2
    assert [c.status for c in db.session.scalars(select(Change))] == ["completed"]


@pytest.mark.parametrize("now", moments(), ids=lambda moment: moment.strftime("%a-%Y%m%d-%H%M"))
def test_every_opening_is_on_a_weekday_within_the_month_before(now: datetime) -> None:
    rng = random.Random(demo.SEED)
    for story in demo.STORIES:
        opened = demo.opening_time(story, now, rng)
        assert now - timedelta(days=demo.HISTORY_DAYS) <= opened < now, story.key
        assert opened.weekday() < 5 and 8 <= opened.hour < 17, story.key


def test_history_is_spread_over_the_last_month(demo_app: Flask) -> None:
    now = NOW
    opened = db.session.scalars(select(Incident.created_at)).all()
    assert min(opened) >= now - timedelta(days=demo.HISTORY_DAYS)
    assert max(opened) < now
    assert len({moment.date() for moment in opened}) >= 10
    early_messages = select(Message).join(Incident).where(Message.created_at < Incident.created_at)
    assert db.session.scalars(early_messages).first() is None
    for incident in db.session.scalars(select(Incident)):
        newest = db.session.scalar(
            select(func.max(Message.created_at)).where(Message.incident_id == incident.id)
        )
        assert incident.last_activity_at >= newest
        assert incident.last_activity_at < now


def test_second_run_changes_nothing(demo_app: Flask) -> None:
    before = {model.__name__: count(model) for model in TABLES}
    result = demo_app.test_cli_runner().invoke(cli.main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data is already loaded; nothing changed." in result.output
    assert {model.__name__: count(model) for model in TABLES} == before


def test_printed_logins_work_in_the_login_form(demo_app: Flask) -> None:
    output = demo_app.test_cli_runner().invoke(cli.main, ["demo"]).output
    password = re.search(r"password for all: (\S+)\)", output).group(1)
    logins = re.findall(r"^\s+(user|agent|admin)\s+(\S+@\S+)", output, flags=re.MULTILINE)
    assert {role for role, _ in logins} == {"user", "agent", "admin"}
    assert len(logins) == 9
    for role, email in logins:
        with demo_app.app_context():  # a fresh `g`: the previous sign-in must not carry over
            client = demo_app.test_client()
            response = client.post("/login", data={"email": email, "password": password})
            assert response.status_code == 302, f"{email} could not sign in"
            landing = client.get("/").headers["Location"]
        assert ("/agent/" in landing) == (role != "user")


def test_the_same_stories_every_time(demo_app: Flask, tmp_path) -> None:
    """Loaded twice for the same moment, the demo tells the same stories in the same order."""

    def summary() -> list[tuple]:
        """What each incident is about, how it ended and who reported it."""
        rows = select(Incident.subject, Incident.status, Incident.priority, User.email)
        return db.session.execute(rows.join(Incident.requester).order_by(Incident.id)).all()

    first = summary()
    other = make_app(tmp_path / "again")
    with other.app_context():
        demo.load_demo(now=NOW)
        assert summary() == first
        db.session.remove()


def test_loads_on_sqlite_and_postgresql(db_app: Flask) -> None:
    assert demo.load_demo(now=NOW) == 60
    assert count(Incident, Incident.status == lifecycle.CLOSED) >= 4
    assert demo.load_demo() == 0


def test_the_reports_see_the_history_as_it_was_backdated(demo_app: Flask) -> None:
    opened = dict(db.session.execute(select(Incident.id, Incident.created_at)).all())
    facts = dict(
        db.session.execute(select(IncidentFacts.incident_id, IncidentFacts.opened_at)).all()
    )
    assert facts == opened
    month = ReportRange((NOW - timedelta(days=demo.HISTORY_DAYS)).date(), NOW.date())
    measured = kpis(month, ReportFilter())
    assert measured["opened"] == len(opened)
    assert measured["resolved"] > 0 and measured["mttr_seconds"]["median"] is not None
