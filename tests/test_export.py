"""`helpdesk export`: one JSON object per incident, with its conversation and audit trail."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpdesk import cli, incidents
from helpdesk.extensions import db
from helpdesk.models import Incident
from helpdesk.reads.export import write_jsonl
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user

LOG = b"09:00 tunnel up\n09:20 tunnel down: rekey failed\n"
FIELDS = {
    "reference",
    "subject",
    "description",
    "channel",
    "requester",
    "participants",
    "category",
    "service",
    "impact",
    "urgency",
    "priority",
    "priority_label",
    "priority_override_reason",
    "status",
    "on_hold_reason",
    "assigned_team",
    "assigned_agent",
    "owner_team",
    "owner_agent",
    "created_at",
    "updated_at",
    "last_activity_at",
    "first_response_at",
    "response_due_at",
    "resolution_due_at",
    "sla_paused_at",
    "resolved_at",
    "closed_at",
    "resolution",
    "problem_reference",
    "change_reference",
    "links",
    "satisfaction",
    "messages",
    "audit_events",
}


@pytest.fixture
def story(app: Flask) -> SimpleNamespace:
    """A resolved and rated incident, a related one, and a duplicate merged into it."""
    agent = gen_user("agent", name="Ann Agent", email="ann@example.org")
    team = gen_team("Network", [agent])
    requester = gen_user(name="Rob Requester", email="rob@example.org")
    colleague = gen_user(name="Cat Colleague", email="cat@example.org")
    vpn = gen_incident(
        requester,
        subject="VPN drops every 20 minutes",
        description="The tunnel goes down; log attached.",
        category_id=gen_category("Network").id,
        service_id=gen_service("VPN").id,
        impact="medium",
        urgency="high",
        participants=[colleague],
        attachments=[incidents.NewAttachment("vpn.log", "text/plain", LOG)],
    )
    incidents.assign(vpn, agent, team.id, agent.id)
    incidents.add_reply(vpn, agent, "Which client version do you have?", channel="agent")
    incidents.add_reply(
        vpn, requester, "Version 5.1.", channel="email", email_message_id="<v51@example.org>"
    )
    incidents.add_note(vpn, agent, "Known rekey bug in 5.1.")
    incidents.resolve(vpn, agent, "workaround", "Rolled back to 5.0.", workaround="Use 5.0.")
    incidents.rate(vpn, requester, 4, "Thanks!")
    again = gen_incident(requester, subject="VPN down again")
    incidents.link(again, agent, vpn)
    duplicate = gen_incident(colleague, subject="VPN broken")
    incidents.merge(duplicate, agent, again)
    return SimpleNamespace(vpn=vpn.reference, again=again.reference, duplicate=duplicate.reference)


def export(runner: FlaskCliRunner, *args: str):
    """Run `helpdesk export` with the given options."""
    return runner.invoke(cli.main, ["export", *args])


def records(runner: FlaskCliRunner, *args: str) -> dict[str, dict]:
    """Export and parse every line, keyed by reference."""
    result = export(runner, *args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    parsed = [json.loads(line) for line in lines]
    return {record["reference"]: record for record in parsed}


def by_reference(reference: str) -> Incident:
    """Load an incident by its reference."""
    return db.session.scalars(select(Incident).where(Incident.reference == reference)).one()


def is_utc_timestamp(value: str) -> bool:
    """ISO 8601 with a Z suffix."""
    return value.endswith("Z") and datetime.fromisoformat(value).utcoffset().total_seconds() == 0


def test_one_json_object_per_incident_with_every_field(story, runner: FlaskCliRunner) -> None:
    exported = records(runner)
    assert list(exported) == [story.vpn, story.again, story.duplicate]
    assert all(set(record) == FIELDS for record in exported.values())


def test_incident_fields(story, runner: FlaskCliRunner) -> None:
    vpn = records(runner)[story.vpn]
    assert vpn["requester"] == {"name": "Rob Requester", "email": "rob@example.org"}
    assert vpn["participants"] == [{"name": "Cat Colleague", "email": "cat@example.org"}]
    assert (vpn["category"], vpn["service"]) == ("Network", "VPN")
    assert (vpn["impact"], vpn["urgency"], vpn["priority"]) == ("medium", "high", 2)
    assert vpn["status"] == "resolved"
    assert vpn["assigned_team"] == "Network"
    assert vpn["assigned_agent"] == {"name": "Ann Agent", "email": "ann@example.org"}
    assert vpn["resolution"] == {
        "code": "workaround",
        "label": "Workaround provided",
        "notes": "Rolled back to 5.0.",
        "workaround": "Use 5.0.",
    }
    assert vpn["satisfaction"] == {"rating": 4, "comment": "Thanks!"}
    for name in ("created_at", "updated_at", "first_response_at", "resolved_at"):
        assert is_utc_timestamp(vpn[name]), name
    assert vpn["closed_at"] is None


def test_messages_with_attachment_metadata(story, runner: FlaskCliRunner) -> None:
    messages = records(runner)[story.vpn]["messages"]
    assert [(m["kind"], m["author"]["email"]) for m in messages] == [
        ("reply", "rob@example.org"),
        ("reply", "ann@example.org"),
        ("reply", "rob@example.org"),
        ("note", "ann@example.org"),
    ]
    assert messages[2]["channel"] == "email"
    assert messages[2]["email_message_id"] == "<v51@example.org>"
    assert messages[0]["attachments"] == [
        {
            "filename": "vpn.log",
            "content_type": "text/plain",
            "size": len(LOG),
            "sha256": hashlib.sha256(LOG).hexdigest(),
        }
    ]
    assert all(is_utc_timestamp(m["created_at"]) for m in messages)


def test_audit_events(story, runner: FlaskCliRunner) -> None:
    events = records(runner)[story.vpn]["audit_events"]
    actions = [event["action"] for event in events]
    assert actions[0] == "opened"
    assert {"assigned", "replied", "noted", "resolved", "rated"} <= set(actions)
    rated = events[actions.index("rated")]
    assert rated["actor"] == {"name": "Rob Requester", "email": "rob@example.org"}
    assert rated["details"] == {"rating": 4}
    assert is_utc_timestamp(rated["created_at"])


def test_links_and_merges(story, runner: FlaskCliRunner) -> None:
    exported = records(runner)
    assert exported[story.vpn]["links"]["related"] == [story.again]
    assert exported[story.again]["links"]["related"] == [story.vpn]
    assert exported[story.again]["links"]["merged_from"] == [story.duplicate]
    assert exported[story.duplicate]["links"]["merged_into"] == story.again
    merged_bodies = [m["body"] for m in exported[story.again]["messages"]]
    assert any("VPN broken" in body or "merged" in body for body in merged_bodies)


def test_since_keeps_incidents_changed_on_or_after_the_date(story, runner: FlaskCliRunner) -> None:
    old = datetime(2020, 3, 1, 12, 0)
    vpn, again = (by_reference(ref) for ref in (story.vpn, story.again))
    vpn.updated_at = vpn.last_activity_at = old
    again.updated_at = old  # ...but its conversation is recent: still exported
    db.session.commit()
    assert set(records(runner, "--since", "2020-03-02")) == {story.again, story.duplicate}
    assert story.vpn in records(runner, "--since", "2020-03-01")
    assert story.vpn in records(runner, "--since", "2020-03-01T11:00:00Z")
    assert story.vpn not in records(runner, "--since", "2020-03-01T13:00:00+00:00")


def test_bad_since_is_a_clear_error(app: Flask, runner: FlaskCliRunner) -> None:
    result = export(runner, "--since", "last tuesday")
    assert result.exit_code == 2
    assert "'last tuesday' is not a date. Use YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_other_formats_are_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = export(runner, "--format", "csv")
    assert result.exit_code == 2
    assert "'csv' is not 'jsonl'" in result.output


def test_output_to_a_file(story, runner: FlaskCliRunner, tmp_path: Path) -> None:
    target = tmp_path / "incidents.jsonl"
    result = export(runner, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Exported 3 incidents as jsonl." in result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [
        story.vpn,
        story.again,
        story.duplicate,
    ]


def test_small_batches_keep_every_incident_with_its_own_history(app: Flask) -> None:
    opened = [gen_incident(subject=f"Incident {n}", description=f"Story {n}") for n in range(5)]
    buffer = io.StringIO()
    assert write_jsonl(buffer, batch_size=2) == 5
    exported = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [r["reference"] for r in exported] == [i.reference for i in opened]
    assert [r["messages"][0]["body"] for r in exported] == [f"Story {n}" for n in range(5)]
    assert all(len(r["audit_events"]) == 1 for r in exported)


def test_export_on_sqlite_and_postgresql(db_app: Flask) -> None:
    agent = gen_user("agent")
    incident = gen_incident(subject="Printer offline", description="Floor 4 printer.")
    incidents.add_note(incident, agent, "Checking the switch port.")
    exported = records(db_app.test_cli_runner())
    assert list(exported) == [incident.reference]
    assert [m["kind"] for m in exported[incident.reference]["messages"]] == ["reply", "note"]
