"""`helpdesk import`: the history `helpdesk export` writes (format 1), brought into another
instance as it was: export, import into an empty instance, export again, the same bytes."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpdesk import cli, incidents
from helpdesk.extensions import db
from helpdesk.history import building, importing
from helpdesk.history.command import run_import
from helpdesk.history.importing import ImportFailed, import_file
from helpdesk.history.reading import BadFile
from helpdesk.models import (
    Attachment,
    AuditEvent,
    Category,
    Incident,
    Message,
    OutboundEmail,
    Problem,
    Service,
    Team,
    User,
)
from helpdesk.models.audit import INCIDENT
from helpdesk.reads.export import write_jsonl
from helpdesk.reads.incident_search import ranked
from helpdesk.sla_policies import clocks
from tests.conftest import AuthActions, ManualClock, make_app
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user
from tests.sla_policy import seed_standard

LOG = b"09:00 tunnel up\n09:20 tunnel down: rekey failed\n"


def exported() -> str:
    """Everything the current instance exports, as text."""
    out = io.StringIO()
    write_jsonl(out)
    return out.getvalue()


def build_history(clock: ManualClock) -> None:
    """A varied history through the service layer: messages, notes, an attachment, ratings,
    links, a merge, a reopening, a follow-up, participants, a hold, ownership."""
    seed_standard()
    agent = gen_user("agent", name="Ann Agent", email="ann@example.org")
    desk = gen_team("Service Desk", [agent], service_desk=True)
    network = gen_team("Network", [agent])
    rob = gen_user(name="Rob Requester", email="rob@example.org")
    cat = gen_user(name="Cat Colleague", email="cat@example.org")
    vpn = gen_incident(
        rob,
        subject="VPN drops every 20 minutes",
        description="The tunnel goes down; log attached.",
        category_id=gen_category("Network").id,
        service_id=gen_service("VPN").id,
        impact="medium",
        urgency="high",
        participants=[cat],
        attachments=[incidents.NewAttachment("vpn.log", "text/plain", LOG)],
    )
    clock.advance(minutes=7, milliseconds=250)
    incidents.take_ownership(vpn, agent)
    incidents.assign(vpn, agent, network.id, agent.id)
    clock.advance(minutes=5)
    incidents.add_reply(vpn, agent, "Which client version do you have?", channel="agent")
    incidents.change_status(vpn, agent, "on_hold", "awaiting_user")
    clock.advance(hours=2)
    incidents.add_reply(vpn, rob, "Version 5.1.", channel="email", email_message_id="<v51@ex.org>")
    incidents.add_note(vpn, agent, "Known rekey bug in 5.1.")
    clock.advance(hours=1)
    incidents.resolve(vpn, agent, "workaround", "Rolled back to 5.0.", workaround="Use 5.0.")
    incidents.rate(vpn, rob, 4, "Thanks!")
    incidents.confirm_resolution(vpn, rob)
    clock.advance(days=1)
    again = gen_incident(rob, subject="VPN down again")
    incidents.link(again, agent, vpn)
    duplicate = gen_incident(cat, subject="VPN broken")
    clock.advance(minutes=3)
    incidents.merge(duplicate, agent, again)
    incidents.resolve(again, agent, "fixed", "Restarted the concentrator.")
    clock.advance(minutes=30)
    incidents.reject_resolution(again, rob, "Still dropping.")
    follow_up = incidents.IncidentReport(subject="VPN slow since the fix", description="Slow.")
    incidents.open_follow_up(vpn, rob, follow_up)
    waiting = gen_incident(cat, subject="New laptop", impact="low", urgency="low")
    incidents.assign(waiting, agent, desk.id, None)
    incidents.change_status(waiting, agent, "on_hold", "awaiting_vendor")


@pytest.fixture
def history(app: Flask, clock: ManualClock, tmp_path: Path) -> Path:
    """The varied history, exported to a file."""
    build_history(clock)
    path = tmp_path / "history.jsonl"
    path.write_text(exported(), encoding="utf-8")
    return path


@pytest.fixture
def second(tmp_path: Path) -> Iterator[Flask]:
    """An empty second instance with the default SLA policy, inside its app context."""
    other = make_app(tmp_path / "second")
    with other.app_context():
        seed_standard()
        yield other
        db.session.remove()


def write_lines(path: Path, *records: Any) -> Path:
    """A file of the given lines (dicts as JSON, strings as they are)."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OPENED = {
    "actor": {"name": "Pat Printer", "email": "pat@example.org"},
    "action": "opened",
    "details": {"channel": "email", "priority": 4},
    "created_at": "2024-05-06T07:08:09.123Z",
}


def minimal(reference: str, **changes: Any) -> dict[str, Any]:
    """The fewest fields a format 1 line needs, changed as given."""
    return {
        "reference": reference,
        "subject": f"Printer {reference}",
        "description": "It jams.",
        "channel": "email",
        "requester": {"name": "Pat Printer", "email": "pat@example.org"},
        "impact": "low",
        "urgency": "medium",
        "priority": 4,
        "status": "new",
        "created_at": "2024-05-06T07:08:09.123Z",
        "updated_at": "2024-05-06T07:08:09.123Z",
        "audit_events": [OPENED],
    } | changes


def count(model: type) -> int:
    """How many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_round_trip_into_an_empty_instance_is_byte_identical(history: Path, second: Flask) -> None:
    outcome = import_file(history)
    assert (outcome.imported, outcome.present, outcome.warnings) == (5, 0, [])
    assert exported() == history.read_text(encoding="utf-8")


def test_importing_twice_changes_nothing(history: Path, second: Flask) -> None:
    import_file(history)
    tables = (Incident, Message, AuditEvent, Attachment, User, Team, Category, Service)
    before = [count(model) for model in tables]
    again = import_file(history)
    assert (again.imported, again.present) == (0, 5)
    assert again.summary() == (
        "Imported 0 incidents (5 already present), 0 people and 0 teams/categories/services "
        "created."
    )
    assert [count(model) for model in tables] == before
    assert exported() == history.read_text(encoding="utf-8")


def test_the_command_prints_the_summary(history: Path, second: Flask) -> None:
    result = second.test_cli_runner().invoke(cli.main, ["import", str(history)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Imported 5 incidents (0 already present), 3 people and 4 teams/categories/services "
        "created.\n"
    )


def test_times_are_kept_as_written_and_nothing_is_recomputed(second: Flask, tmp_path) -> None:
    line = minimal(
        "INC-000042",
        status="resolved",
        updated_at="2024-05-07T10:00:00.500Z",
        response_due_at="2024-05-06T08:08:09.123Z",
        resolution_due_at="2024-05-06T15:08:09.123Z",
        first_response_at="2024-05-06T09:00:00+02:00",
        resolved_at="2024-05-07T10:00:00.500Z",
        satisfaction={"rating": 2, "comment": None},
        messages=[
            {
                "kind": "reply",
                "channel": "email",
                "author": {"name": "Pat Printer", "email": "pat@example.org"},
                "body": "It jams.",
                "created_at": "2024-05-06T07:08:09.123Z",
            }
        ],
        audit_events=[
            OPENED,
            {
                "actor": {"name": "Pat Printer", "email": "pat@example.org"},
                "action": "rated",
                "details": {"rating": 2},
                "created_at": "2024-05-07T11:00:00.001Z",
            },
        ],
    )
    import_file(write_lines(tmp_path / "one.jsonl", line))
    incident = db.session.get(Incident, 42)
    assert incident is not None
    assert incident.created_at == datetime(2024, 5, 6, 7, 8, 9, 123000)
    assert incident.first_response_at == datetime(2024, 5, 6, 7, 0)
    assert incident.response_due_at == datetime(2024, 5, 6, 8, 8, 9, 123000)
    assert incident.resolved_at == datetime(2024, 5, 7, 10, 0, 0, 500000)
    assert incident.response_breached_at is None and incident.sla_check_at is None
    assert incident.sla_policy_id is not None
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, 42)).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.created_at) for e in events] == [
        ("opened", datetime(2024, 5, 6, 7, 8, 9, 123000)),
        ("rated", datetime(2024, 5, 7, 11, 0, 0, 1000)),
    ]
    assert [e.actor.email for e in events if e.actor] == ["pat@example.org"] * 2
    message = db.session.scalars(select(Message)).one()
    assert message.created_at == datetime(2024, 5, 6, 7, 8, 9, 123000)


def test_an_open_incident_is_due_for_the_next_sla_pass(
    second: Flask, clock: ManualClock, tmp_path: Path
) -> None:
    import_file(write_lines(tmp_path / "open.jsonl", minimal("INC-000050")))
    incident = db.session.get(Incident, 50)
    assert incident is not None
    assert incident.sla_check_at == clock.now and incident.response_breached_at is None

    assert clocks.check_due(clock.now) == 1
    # Opened Monday 6 May 2024 and never answered: its P4 response target (office hours)
    # was breached that spring, and its trail says so from the first pass on.
    assert incident.response_breached_at is not None
    assert incident.response_breached_at < datetime(2024, 6, 1)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.about(INCIDENT, 50))
    ).all()
    assert "sla_breached" in actions


def test_nobody_is_mailed(history: Path, second: Flask) -> None:
    import_file(history)
    assert count(OutboundEmail) == 0


def test_people_matched_by_email_case_aside_and_the_missing_made_end_users(
    second: Flask, tmp_path: Path
) -> None:
    known = gen_user("agent", name="Ann Known", email="ann@example.org")
    line = minimal(
        "INC-000001",
        requester={"name": "Ann In The File", "email": "ANN@Example.ORG"},
        participants=[{"name": "New Person", "email": "New.Person@Example.org"}],
        assigned_agent={"name": "Old Agent", "email": "old.agent@example.org"},
    )
    outcome = import_file(write_lines(tmp_path / "people.jsonl", line))
    incident = db.session.get(Incident, 1)
    assert incident is not None and incident.requester_id == known.id
    assert known.name == "Ann Known"
    created = {u.email: u for u in db.session.scalars(select(User).where(User.id != known.id))}
    assert set(created) == {"new.person@example.org", "old.agent@example.org", "pat@example.org"}
    assert all(u.role == "user" and not u.has_password for u in created.values())
    assert created["new.person@example.org"].name == "New Person"
    assert outcome.people_created == 3


def test_teams_categories_and_services_created_by_name_when_missing(
    second: Flask, tmp_path: Path
) -> None:
    network = gen_team("Network")
    vpn = gen_service("VPN")
    lines = [
        minimal("INC-000001", category="Hardware", service="vpn", assigned_team="NETWORK"),
        minimal("INC-000002", category="hardware", service="Mail", owner_team="Service Desk"),
    ]
    outcome = import_file(write_lines(tmp_path / "names.jsonl", *lines))
    first, second_incident = db.session.get(Incident, 1), db.session.get(Incident, 2)
    assert first is not None and second_incident is not None
    assert (first.service_id, first.assigned_team_id) == (vpn.id, network.id)
    assert first.category_id == second_incident.category_id
    assert sorted(db.session.scalars(select(Category.name))) == ["Hardware"]
    assert sorted(db.session.scalars(select(Service.name))) == ["Mail", "VPN"]
    assert sorted(db.session.scalars(select(Team.name))) == ["Network", "Service Desk"]
    assert outcome.entries_created == 3


BAD_LINES = [
    (
        "{not json",
        "line 2: not JSON (Expecting property name enclosed in double quotes at column 2)",
    ),
    ('["a list"]', "line 3: not a JSON object"),
    ({"subject": "x"}, "line 4: reference: missing"),
]


def test_bad_lines_are_each_named_and_nothing_is_written(second: Flask, tmp_path: Path) -> None:
    good = minimal("INC-000001")
    message = {"kind": "reply", "channel": "email", "body": "Hi", "created_at": "yesterday"}
    path = write_lines(
        tmp_path / "bad.jsonl",
        good,
        "{not json",
        '["a list"]',
        "",
        minimal("INC-000005", status="lost", priority=9, channel="fax"),
        minimal("INC-000006", messages=[message, {**message, "author": {"name": "No Mail"}}]),
        minimal("INC-000007", created_at="2024-05-06T07:08:09", priority="2"),
        minimal("INC-000001"),
        {"format": 2, "reference": "INC-000009"},
    )
    trail = count(AuditEvent)
    with pytest.raises(BadFile) as raised:
        import_file(path)
    assert raised.value.problems == [
        "line 2: not JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 3: not a JSON object",
        "line 5: channel: unknown channel 'fax'; one of: portal, email, api, phone, walk-in, "
        "chat, alert; priority: unknown priority 9; one of: 1, 2, 3, 4, 5; status: unknown "
        "status 'lost'; one of: new, assigned, in_progress, on_hold, resolved, closed, cancelled",
        "line 6: messages[0].created_at: not an ISO 8601 time; messages[1].author.email: "
        "missing; messages[1].created_at: not an ISO 8601 time",
        "line 7: priority: not a whole number; created_at: an ISO 8601 time without a zone: "
        "end it with Z for UTC",
        "line 8: reference INC-000001 is also on line 1",
        "line 9: format 2 is not one this helpdesk reads (1)",
    ]
    assert (count(Incident), count(User), count(AuditEvent)) == (0, 0, trail)


def test_the_command_lists_bad_lines_and_exits_with_1(second: Flask, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", minimal("INC-000001", impact="huge"))
    result = second.test_cli_runner().invoke(cli.main, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "line 1: impact: unknown level 'huge'; one of: high, medium, low\n"
        "Nothing imported: 1 bad line.\n"
    )
    assert count(Incident) == 0


def test_a_mail_message_id_already_here_refuses_the_file(second: Flask, tmp_path) -> None:
    incidents.add_reply(gen_incident(), gen_user("agent"), "Hi", email_message_id="<a@b>")
    message = {
        "kind": "reply",
        "channel": "email",
        "body": "Hi",
        "created_at": "2024-05-06T07:08:09Z",
        "email_message_id": "<a@b>",
    }
    path = write_lines(tmp_path / "clash.jsonl", minimal("OLD-000001", messages=[message]))
    with pytest.raises(BadFile) as raised:
        import_file(path)
    assert raised.value.problems == ["line 1: Message-ID <a@b> is already on INC-000001"]


def test_ids_follow_references_and_new_incidents_do_not_collide(
    second: Flask, tmp_path: Path
) -> None:
    lines = [minimal("OLD-000003"), minimal("INC-000010"), minimal("INC-000004")]
    import_file(write_lines(tmp_path / "ids.jsonl", *lines))
    ids = {ref: ident for ref, ident in db.session.execute(select(Incident.reference, Incident.id))}
    assert ids == {"INC-000010": 10, "INC-000004": 4, "OLD-000003": 11}
    opened = gen_incident()
    assert opened.reference == "INC-000012"


def test_links_resolve_forward_and_problems_link_or_warn(second: Flask, tmp_path: Path) -> None:
    problem = Problem(reference="PRB-000001", title="Rekey bug")
    db.session.add(problem)
    db.session.commit()
    lines = [
        minimal("INC-000001", links={"related": ["INC-000002"], "merged_into": "INC-000003"}),
        minimal("INC-000002", problem_reference="PRB-000001", change_reference="CHG-000009"),
        minimal("INC-000003", links={"merged_from": ["INC-000001"], "related": ["INC-000099"]}),
    ]
    outcome = import_file(write_lines(tmp_path / "links.jsonl", *lines))
    assert outcome.warnings == [
        "line 2: CHG-000009 is not in this helpdesk; not linked",
        "line 3: links.related INC-000099 is neither in the file nor in this helpdesk; not linked",
    ]
    first, linked = db.session.get(Incident, 1), db.session.get(Incident, 2)
    assert first is not None and linked is not None
    assert first.merged_into_id == 3
    assert [i.reference for i in incidents.related(first)] == ["INC-000002"]
    assert linked.problem_id == problem.id and linked.caused_by_change_id is None


def test_imported_incidents_are_searchable(history: Path, second: Flask) -> None:
    import_file(history)
    query = ranked("rekey")
    assert query is not None
    assert [row[0] for row in db.session.execute(query)] == [1]


def test_an_imported_attachment_downloads_as_not_imported(history: Path, second: Flask) -> None:
    import_file(history)
    attachment = db.session.scalars(select(Attachment)).one()
    assert (attachment.filename, attachment.size) == ("vpn.log", len(LOG))
    gen_user("agent", name="Ada Agent", email="ada@example.org")
    client = second.test_client()
    AuthActions(client).login("ada@example.org")
    response = client.get(f"/attachments/{attachment.id}/vpn.log")
    assert response.status_code == 404
    assert "File not imported" in response.get_data(as_text=True)


@pytest.mark.postgres
def test_the_postgresql_sequence_moves_past_the_imported_ids(pg_app: Flask, tmp_path) -> None:
    seed_standard()
    lines = [minimal("INC-000050"), minimal("OLD-000001")]
    run_import(write_lines(tmp_path / "pg.jsonl", *lines))
    assert db.session.get(Incident, 51) is not None
    assert gen_incident().reference == "INC-000052"


def test_a_progress_bar_only_on_a_terminal(
    history: Path, second: Flask, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    run_import(history)
    assert "Importing" in capsys.readouterr().err


def test_a_database_error_names_the_line_and_keeps_earlier_batches(
    second: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [minimal("INC-000001"), minimal("INC-000002"), minimal("INC-000003")]
    path = write_lines(tmp_path / "refused.jsonl", *lines)
    # Something only the database refuses (a NOT NULL column left empty) with line 3.
    real = building.add_incident

    def failing(number: int, line: Any, ident: int, matcher: Any) -> list[str]:
        warnings = real(number, line, ident, matcher)
        if number == 3:
            db.session.add(User(email=None, name="Nobody"))
        return warnings

    monkeypatch.setattr(importing, "add_incident", failing)
    with pytest.raises(ImportFailed, match=r"^line 3: the database refused INC-000003 \("):
        import_file(path, batch_size=2)
    assert set(db.session.scalars(select(Incident.reference))) == {"INC-000001", "INC-000002"}
    monkeypatch.undo()
    outcome = import_file(path)
    assert (outcome.imported, outcome.present) == (1, 2)
