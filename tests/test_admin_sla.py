"""Admin pages for SLA calendars and policies: create, edit and delete through the forms,
the store's message on bad input with nothing written, and the TOML file downloaded and
uploaded again."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.extensions import db
from helpdesk.models import AuditEvent, SlaCalendar, SlaPolicy, User
from helpdesk.sla_policies import store
from tests.conftest import make_app
from tests.factories import PASSWORD, gen_category, gen_service, gen_user
from tests.sla.conftest import OFFICE_HOURS, TARGETS, fields

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEK = {day: "" for day in (*WORKDAYS, "sat", "sun")}


@pytest.fixture
def admin(app: Flask, auth: Any) -> User:
    """A signed-in admin."""
    person = gen_user("admin")
    auth.login(person.email)
    return person


@pytest.fixture
def standard(app: Flask) -> SlaPolicy:
    """The calendar "Office hours" and the default policy "Standard"."""
    store.create_calendar(None, "Office hours", OFFICE_HOURS)
    return store.create_policy(None, "Standard", fields(is_default=True))


def calendar_form(**changes: str) -> dict[str, str]:
    """A Berlin calendar with a lunch break, as an admin fills the form."""
    weekdays = {day: "09:00-12:00, 13:00-17:00" for day in WORKDAYS}
    return (
        {"name": "Berlin", "timezone": "Europe/Berlin"}
        | WEEK
        | weekdays
        | {"holidays": "2026-12-25\r\n2026-12-26\r\n", "country": "", "subdivision": ""}
        | changes
    )


def policy_form(**changes: Any) -> dict[str, Any]:
    """A policy for a service on "Office hours" with the standard targets."""
    targets = {
        f"{key.lower()}-{part}": value
        for key, target in TARGETS.items()
        for part, value in target.items()
    }
    form = {"name": "Network", "calendar": "Office hours", "pause_on": ["awaiting_user"]}
    return form | targets | {"warn_at": "0.75", "service": "", "category": ""} | changes


def counts() -> tuple[int, int, int]:
    """Calendars, policies and audit events stored now."""
    db.session.expire_all()
    return (
        db.session.query(SlaCalendar).count(),
        db.session.query(SlaPolicy).count(),
        db.session.query(AuditEvent).count(),
    )


def test_an_admin_creates_edits_and_deletes_a_calendar(client: FlaskClient, admin: User) -> None:
    assert "New calendar" in client.get("/admin/sla").get_data(as_text=True)
    assert "Europe/Berlin" in client.get("/admin/sla/calendars/new").get_data(as_text=True)
    response = client.post("/admin/sla/calendars/new", data=calendar_form())
    assert response.status_code == 302
    row = db.session.query(SlaCalendar).one()
    assert (row.name, row.timezone) == ("Berlin", "Europe/Berlin")
    assert row.hours == {day: ["09:00-12:00", "13:00-17:00"] for day in WORKDAYS}
    assert row.holidays == ["2026-12-25", "2026-12-26"]
    assert row.country is None
    page = client.get(f"/admin/sla/calendars/{row.id}").get_data(as_text=True)
    assert "09:00-12:00, 13:00-17:00" in page and "2026-12-25\n2026-12-26" in page

    changes = calendar_form(name="Bavaria", sat="10:00-14:00", country="DE", subdivision="BY")
    assert client.post(f"/admin/sla/calendars/{row.id}", data=changes).status_code == 302
    db.session.refresh(row)
    assert (row.name, row.hours["sat"], row.country, row.subdivision) == (
        "Bavaria",
        ["10:00-14:00"],
        "DE",
        "BY",
    )
    assert "Bavaria" in client.get("/admin/sla").get_data(as_text=True)

    response = client.post(f"/admin/sla/calendars/{row.id}/delete", follow_redirects=True)
    assert "Deleted the calendar Bavaria." in response.get_data(as_text=True)
    assert counts()[0] == 0


def test_an_admin_creates_edits_and_deletes_a_policy(
    client: FlaskClient, admin: User, standard: SlaPolicy
) -> None:
    network = gen_service("Network")
    email = gen_category("Email")
    page = client.get("/admin/sla/policies/new").get_data(as_text=True)
    assert "Awaiting a vendor" in page and "P1 critical" in page
    response = client.post("/admin/sla/policies/new", data=policy_form(service=str(network.id)))
    assert response.status_code == 302
    row = db.session.query(SlaPolicy).filter_by(name="Network").one()
    assert (row.service_id, row.category_id, row.is_default) == (network.id, None, False)
    assert row.targets == TARGETS
    assert (row.pause_on, row.warn_at) == (["awaiting_user"], 0.75)
    listing = client.get("/admin/sla").get_data(as_text=True)
    assert "service Network" in listing and "Default" in listing

    changes = policy_form(
        category=str(email.id),
        service=str(network.id),
        **{"p1-response": "30m", "p1-clock": "business"},
        pause_on=["awaiting_user", "awaiting_vendor"],
        warn_at="0.5",
    )
    assert client.post(f"/admin/sla/policies/{row.id}", data=changes).status_code == 302
    db.session.refresh(row)
    assert row.targets["P1"] == {"response": "30m", "resolution": "4h", "clock": "business"}
    assert (row.category_id, row.pause_on, row.warn_at) == (
        email.id,
        ["awaiting_user", "awaiting_vendor"],
        0.5,
    )
    page = client.get(f"/admin/sla/policies/{row.id}").get_data(as_text=True)
    assert 'value="30m"' in page and "service Network and category Email" in client.get(
        "/admin/sla"
    ).get_data(as_text=True)

    response = client.post(f"/admin/sla/policies/{row.id}/delete", follow_redirects=True)
    assert "Deleted the policy Network." in response.get_data(as_text=True)
    assert db.session.query(SlaPolicy).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mon": "9-17"}, "Calendar Berlin: hours.mon[0]: &#39;9-17&#39; is not a window"),
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"holidays": "25.12.2026"}, "holidays[0]"),
        ({"name": " "}, "The calendar name cannot be empty."),
    ],
)
def test_a_bad_calendar_shows_the_stores_message_and_writes_nothing(
    client: FlaskClient, admin: User, changes: dict[str, str], message: str
) -> None:
    before = counts()
    response = client.post("/admin/sla/calendars/new", data=calendar_form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"p3-response": "4 hours"}, "targets.P3.response: &#39;4 hours&#39; is not a duration"),
        ({"warn_at": "1.5"}, "warn_at: 1.5 is not a number above 0 and at most 1"),
        ({"warn_at": "lots"}, "Not a valid float value."),
        ({"calendar": "Nights"}, "there is no calendar called"),
        ({}, "name a service, a category or both"),
        ({"is_default": "y"}, "Standard is already the default policy."),
        ({"service": str(2**31)}, "could not coerce"),
    ],
)
def test_a_bad_policy_shows_the_stores_message_and_writes_nothing(
    client: FlaskClient, admin: User, standard: SlaPolicy, changes: dict[str, str], message: str
) -> None:
    before = counts()
    response = client.post("/admin/sla/policies/new", data=policy_form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == before


def test_a_bad_edit_keeps_what_was_stored(
    client: FlaskClient, admin: User, standard: SlaPolicy
) -> None:
    before = counts()
    data = policy_form(name="Standard", is_default="y", **{"p5-resolution": "soon"})
    response = client.post(f"/admin/sla/policies/{standard.id}", data=data)
    assert response.status_code == 422
    assert "targets.P5.resolution" in response.get_data(as_text=True)
    assert 'value="soon"' in response.get_data(as_text=True)
    assert counts() == before
    db.session.refresh(standard)
    assert standard.targets == TARGETS


def test_refusals_of_deletes_are_shown(
    client: FlaskClient, admin: User, standard: SlaPolicy
) -> None:
    calendar_id = standard.calendar_id
    before = counts()
    page = client.post(f"/admin/sla/policies/{standard.id}/delete", follow_redirects=True)
    assert "Standard is the default policy and cannot be deleted." in page.get_data(as_text=True)
    page = client.post(f"/admin/sla/calendars/{calendar_id}/delete", follow_redirects=True)
    assert "is used by the policy Standard" in page.get_data(as_text=True)
    assert counts() == before
    assert client.get("/admin/sla/calendars/999").status_code == 404
    assert client.post("/admin/sla/policies/999/delete").status_code == 404


@pytest.mark.parametrize("role", ["user", "agent"])
def test_non_admins_are_refused_and_nothing_changes(
    client: FlaskClient, auth: Any, standard: SlaPolicy, role: str
) -> None:
    auth.login(gen_user(role).email)
    before = counts()
    requests = [
        ("GET", "/admin/sla", {}),
        ("GET", "/admin/sla/export.toml", {}),
        ("POST", "/admin/sla/calendars/new", calendar_form()),
        ("POST", f"/admin/sla/calendars/{standard.calendar_id}/delete", {}),
        ("POST", f"/admin/sla/policies/{standard.id}", policy_form(name="Mine")),
        ("POST", f"/admin/sla/policies/{standard.id}/delete", {}),
        ("POST", "/admin/sla/import", {"file": (io.BytesIO(b""), "empty.toml")}),
    ]
    for method, path, data in requests:
        assert client.open(path, method=method, data=data).status_code == 403, path
    assert counts() == before


def test_the_toml_download_round_trips_through_the_upload(
    client: FlaskClient, admin: User, standard: SlaPolicy
) -> None:
    network = gen_service("Network")
    client.post("/admin/sla/calendars/new", data=calendar_form())
    client.post("/admin/sla/policies/new", data=policy_form(calendar="Berlin", service=network.id))
    download = client.get("/admin/sla/export.toml")
    assert download.status_code == 200
    assert download.mimetype == "application/toml"
    assert "attachment" in download.headers["Content-Disposition"]
    exported = download.get_data(as_text=True)
    assert '[policies.Network]\ncalendar = "Berlin"' in exported

    # Change the database, then upload the download: it is as it was.
    client.post(
        f"/admin/sla/policies/{standard.id}", data=policy_form(name="Renamed", is_default="y")
    )
    assert db.session.query(SlaPolicy).filter_by(name="Renamed").count() == 1
    response = client.post(
        "/admin/sla/import",
        data={"file": (io.BytesIO(exported.encode()), "sla-policies.toml")},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Imported the file: 1 created, 0 updated, 1 deleted." in page
    assert client.get("/admin/sla/export.toml").get_data(as_text=True) == exported


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[policies.Standard\n", "Not valid TOML"),
        (b"\xff\xfe", "not UTF-8 text"),
        (None, "Choose a TOML file to import."),
        (b"[policies.Standard]\ncalendar = 1\n", "policies.Standard.calendar: missing"),
    ],
)
def test_a_bad_upload_is_refused_and_writes_nothing(
    client: FlaskClient,
    admin: User,
    standard: SlaPolicy,
    content: bytes | None,
    message: str,
) -> None:
    before = counts()
    upload = {} if content is None else {"file": (io.BytesIO(content), "sla.toml")}
    response = client.post("/admin/sla/import", data=upload)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == before


def test_posts_need_the_csrf_token(tmp_path: Any) -> None:
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        login = {"email": gen_user("admin").email, "password": PASSWORD}
        assert (
            client.post("/login", data=login | {"csrf_token": token(client, "/login")}).status_code
            == 302
        )
        assert client.post("/admin/sla/calendars/new", data=calendar_form()).status_code == 400
        assert counts()[0] == 0
        data = calendar_form(csrf_token=token(client, "/admin/sla/calendars/new"))
        assert client.post("/admin/sla/calendars/new", data=data).status_code == 302
        assert counts()[0] == 1


def token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on a page."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None, path
    return found.group(1)


def test_an_upload_refused_halfway_writes_nothing(
    client: FlaskClient, admin: User, standard: SlaPolicy
) -> None:
    exported = client.get("/admin/sla/export.toml").get_data(as_text=True)
    nights = '[calendars.Nights]\ntimezone = "Mars/Olympus"\n[calendars.Nights.hours]\n'
    before = counts()
    for text, message in (
        (exported + nights, "Calendar Nights: timezone: unknown time zone"),
        (exported.replace('"4h"', '"4 hours"'), "targets.P1.resolution: &#39;4 hours&#39;"),
    ):
        upload = {"file": (io.BytesIO(text.encode()), "sla.toml")}
        response = client.post("/admin/sla/import", data=upload)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert counts() == before
    assert client.get("/admin/sla/export.toml").get_data(as_text=True) == exported
