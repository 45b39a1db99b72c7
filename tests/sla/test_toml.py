"""SLA calendars and policies as TOML: export, import (all or nothing), the round trip, and
`helpdesk sla export | import`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from helpdesk.core.errors import InvalidInput
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Service, SlaPolicy
from helpdesk.sla.cli import sla_group
from helpdesk.sla_policies import store
from helpdesk.sla_policies.choice import policy_for
from helpdesk.sla_policies.toml_files import export_toml, import_toml
from tests.conftest import make_app
from tests.factories import gen_category, gen_service

# The example, written by hand (inline tables, one-line arrays): import reads it.
EXAMPLE = """
[calendars."Office hours"]
timezone = "Europe/Berlin"
holidays = [2026-12-25, 2026-12-24]
country = "DE"
[calendars."Office hours".hours]
mon = ["09:00-12:00", "13:00-17:00"]
fri = ["09:00-12:00"]
[calendars.Nights]
timezone = "America/New_York"
hours = { mon = ["00:00-06:00"], sat = ["22:00-24:00"] }
[policies.Standard]
calendar = "Office hours"
default = true
pause_on = ["awaiting_user"]
warn_at = 0.75
[policies.Standard.targets]
P1 = { response = "15m", resolution = "4h", clock = "24x7" }
P2 = { response = "1h", resolution = "8h", clock = "24x7" }
P3 = { response = "4h", resolution = "24h" }
P4 = { response = "8h", resolution = "40h" }
P5 = { response = "8h", resolution = "80h", clock = "business" }
[policies.Network]
calendar = "Nights"
service = "Network"          # by name; category likewise
category = "Hardware"
warn_at = 0.5
[policies.Network.targets]
P1 = { response = "5m", resolution = "1h", clock = "24x7" }
P2 = { response = "30m", resolution = "2h", clock = "24x7" }
P3 = { response = "1h", resolution = "4h" }
P4 = { response = "2h", resolution = "8h" }
P5 = { response = "4h", resolution = "2h30m" }
"""


def catalogue() -> None:
    gen_service("Network")
    gen_category("Hardware")


@pytest.fixture
def other_app(tmp_path: Path) -> Iterator[Flask]:
    """A second, fresh instance with the same catalogue, for round trips."""
    app = make_app(tmp_path / "other")
    with app.app_context():
        catalogue()
        yield app
        db.session.remove()


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_export_writes_the_standard_policy(standard: SlaPolicy) -> None:
    text = export_toml()
    assert text.startswith('[calendars."Office hours"]\ntimezone = "UTC"\nholidays = []\n')
    assert '[policies.Standard]\ncalendar = "Office hours"\ndefault = true\n' in text
    assert '[policies.Standard.targets.P3]\nresponse = "4h"\nresolution = "24h"\n' in text
    assert "service" not in text and "country" not in text


def test_import_then_export_then_import_elsewhere_gives_the_same_text(
    app: Flask, other_app: Flask
) -> None:
    with app.app_context():
        catalogue()
        summary = import_toml(EXAMPLE)
        assert sorted(summary.created) == [
            "calendar Nights",
            "calendar Office hours",
            "policy Network",
            "policy Standard",
        ]
        exported = export_toml()
    with other_app.app_context():
        import_toml(exported)
        assert export_toml() == exported


def test_the_example_is_stored_as_written(app: Flask) -> None:
    catalogue()
    import_toml(EXAMPLE)
    office, nights = sorted(store.calendars(), key=lambda row: row.name != "Office hours")
    assert office.holidays == ["2026-12-24", "2026-12-25"]
    assert (office.country, nights.country) == ("DE", None)
    assert nights.hours == {"mon": ["00:00-06:00"], "sat": ["22:00-24:00"]}
    assert policy_for(gen_service().id, None).name == "Standard"
    chosen = db.session.scalars(select(SlaPolicy).where(SlaPolicy.name == "Network")).one()
    assert (chosen.calendar.name, chosen.service.name, chosen.category.name) == (
        "Nights",
        "Network",
        "Hardware",
    )
    assert chosen.targets["P5"] == {"response": "4h", "resolution": "2h30m"}


def test_the_readme_example_imports(app: Flask) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## SLA clock") :]
    start = section.index("```toml") + len("```toml")
    example = section[start : section.index("```", start)]
    network = gen_service("Network")
    import_toml(example)
    assert policy_for(network.id, None).name == "Network"
    assert policy_for(None, None).name == "Standard"


def test_importing_the_same_file_again_changes_nothing(app: Flask) -> None:
    catalogue()
    import_toml(EXAMPLE)
    before = audit_count()
    summary = import_toml(EXAMPLE)
    assert (summary.created, summary.updated, summary.deleted) == ([], [], [])
    assert len(summary.unchanged) == 4
    assert audit_count() == before


def test_import_updates_and_deletes_by_name(app: Flask) -> None:
    catalogue()
    import_toml(EXAMPLE)
    network_id = db.session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == "Network"))
    text = EXAMPLE.replace("warn_at = 0.5", "warn_at = 0.6")
    text = text[: text.index("[calendars.Nights]")] + text[text.index("[policies.Standard]") :]
    text = text.replace('calendar = "Nights"', 'calendar = "Office hours"')
    summary = import_toml(text)
    assert summary.updated == ["policy Network"]
    assert summary.deleted == ["calendar Nights"]
    network = db.session.get(SlaPolicy, network_id)
    assert network is not None
    assert (network.warn_at, network.calendar.name) == (0.6, "Office hours")


def test_the_default_can_move_to_another_policy(standard: SlaPolicy) -> None:
    gen_service("Network")
    text = export_toml().replace("[policies.Standard", "[policies.Basic")
    summary = import_toml(text)
    assert summary.deleted == ["policy Standard"] and summary.created == ["policy Basic"]
    # The old default stays, for the Network service; a new policy becomes the default.
    swapped = text.replace("default = true\n", 'service = "Network"\n').replace(
        "[policies.Basic]",
        '[policies.Standard]\ncalendar = "Office hours"\ndefault = true\n'
        "[policies.Standard.targets]\nP1 = { response = '1m', resolution = '1h' }\n"
        "P2 = { response = '1m', resolution = '1h' }\n"
        "P3 = { response = '1m', resolution = '1h' }\n"
        "P4 = { response = '1m', resolution = '1h' }\n"
        "P5 = { response = '1m', resolution = '1h' }\n[policies.Basic]",
    )
    import_toml(swapped)
    assert policy_for(None, None).name == "Standard"
    network = db.session.scalars(select(Service.id).where(Service.name == "Network")).one()
    assert policy_for(network, None).name == "Basic"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('service = "Network"', 'service = "Netwrk"'), "policies.Network.service: there is no"),
        (('category = "Hardware"', "category = 7"), "policies.Network.category: there is no"),
        (("default = true", "default = false"), "Exactly one policy must be the default, not 0"),
        (("default = true", 'default = "yes"'), "policies.Standard.default: 'yes' is neither"),
        (('resolution = "2h30m"', 'resolution = "2.5h"'), "Policy Network: targets.P5.resolution"),
        (('calendar = "Nights"', 'calendar = "Days"'), "Policy Network: there is no calendar"),
        (("warn_at = 0.5", "warm_at = 0.5"), "policies.Network.warm_at: unknown field"),
        (("[calendars.Nights]", "[calendar.Nights]"), "calendar: unknown field"),
        (('"America/New_York"', '"Mars/Olympus"'), "Calendar Nights: "),
        (('mon = ["00:00-06:00"]', 'mon = ["06:00-00:00"]'), "Calendar Nights: hours.mon[0]"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key_and_nothing_is_written(
    app: Flask, change: tuple[str, str], message: str
) -> None:
    catalogue()
    import_toml(EXAMPLE.replace("warn_at = 0.75", "warn_at = 0.8"))
    before, events = export_toml(), audit_count()
    with pytest.raises(InvalidInput) as refused:
        import_toml(EXAMPLE.replace(*change))
    assert str(refused.value).startswith(message)
    assert (export_toml(), audit_count()) == (before, events)


def test_a_calendar_a_kept_policy_uses_is_not_deleted(standard: SlaPolicy) -> None:
    text = export_toml().replace('[calendars."Office hours"', '[calendars."Other"')
    with pytest.raises(InvalidInput, match="Calendar Office hours is used by the policy Standard"):
        import_toml(text)


def test_a_syntax_error_names_its_line(app: Flask) -> None:
    with pytest.raises(InvalidInput, match=r"Not valid TOML: .*\(at line 3, column"):
        import_toml('[calendars.A]\ntimezone = "UTC"\nhours = {\n')


def test_commands_export_and_import(
    standard: SlaPolicy, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "sla.toml"
    result = runner.invoke(sla_group, ["export", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == export_toml()
    path.write_text(export_toml().replace("warn_at = 0.75", "warn_at = 0.9"), encoding="utf-8")
    result = runner.invoke(sla_group, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Created 0, updated 1, deleted 0, unchanged 1.\n  updated policy Standard\n"
    )
    assert runner.invoke(sla_group, ["export"]).output == export_toml()


def test_the_import_command_names_the_bad_key(
    standard: SlaPolicy, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "sla.toml"
    path.write_text(export_toml().replace("default = true", "default = 1"), encoding="utf-8")
    result = runner.invoke(sla_group, ["import", str(path)])
    assert result.exit_code == 1
    assert (
        result.output == f"Error: {path}: policies.Standard.default: 1 is neither true nor false\n"
    )
