"""Personal time zones: every time shown is on the viewer's own clock, with the zone's
abbreviation; the settings page where a person chooses their zone (and an agent says they
are away)."""

from __future__ import annotations

from datetime import datetime

import pytest

from helpdesk import accounts
from helpdesk.core.zones import exact_time, zone_named
from helpdesk.extensions import db
from helpdesk.models import User
from tests.conftest import make_app
from tests.factories import PASSWORD, gen_incident, gen_user

# The clock fixture's Monday 2026-11-30 09:00 UTC.
OPENED = datetime(2026, 11, 30, 9, 0)


def set_zone(user: User, zone: str | None) -> None:
    """Arrange a stored zone directly (the settings page is tested on its own below)."""
    user.timezone = zone
    db.session.commit()


def page(client, email: str, path: str) -> str:
    """Sign in as `email` in a fresh session and GET a page that must exist."""
    client.post("/logout")
    client.post("/login", data={"email": email, "password": PASSWORD})
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("America/New_York", "2026-11-30 04:00 EST"),
        ("Asia/Tokyo", "2026-11-30 18:00 JST"),
        ("Europe/Berlin", "2026-11-30 10:00 CET"),
        (None, "2026-11-30 09:00 UTC"),
    ],
)
def test_one_instant_on_each_clock(zone, shown):
    assert exact_time(OPENED, zone_named(zone)) == shown


@pytest.mark.parametrize(
    ("instant", "new_york", "tokyo"),
    [
        # The US clocks go forward on Sunday 2026-03-08 at 02:00 local (07:00 UTC).
        (datetime(2026, 3, 8, 6, 59), "2026-03-08 01:59 EST", "2026-03-08 15:59 JST"),
        (datetime(2026, 3, 8, 7, 0), "2026-03-08 03:00 EDT", "2026-03-08 16:00 JST"),
        # And back on Sunday 2026-11-01 at 02:00 local (06:00 UTC): 01:30 happens twice.
        (datetime(2026, 11, 1, 5, 30), "2026-11-01 01:30 EDT", "2026-11-01 14:30 JST"),
        (datetime(2026, 11, 1, 6, 30), "2026-11-01 01:30 EST", "2026-11-01 15:30 JST"),
    ],
)
def test_around_the_changes_of_clocks(instant, new_york, tokyo):
    assert exact_time(instant, zone_named("America/New_York")) == new_york
    assert exact_time(instant, zone_named("Asia/Tokyo")) == tokyo


def test_a_zone_this_machine_does_not_know_falls_back_to_the_instance_zone():
    assert exact_time(OPENED, zone_named("Mars/Olympus_Mons")) == "2026-11-30 09:00 UTC"


def test_agent_and_requester_each_see_the_same_instant_on_their_clock(clock, app, client):
    tokyo = gen_user(email="kenji@example.org")
    new_york = gen_user("agent", email="nora@example.org")
    set_zone(tokyo, "Asia/Tokyo")
    set_zone(new_york, "America/New_York")
    incident = gen_incident(tokyo, subject="Scanner offline")
    clock.advance(hours=3)

    console = page(client, new_york.email, f"/agent/incidents/{incident.reference}")
    portal = page(client, tokyo.email, f"/my/incidents/{incident.reference}")

    assert 'title="2026-11-30 04:00 EST">3 hours ago</time>' in console
    assert 'title="2026-11-30 18:00 JST">3 hours ago</time>' in portal
    assert ' UTC"' not in console and ' UTC"' not in portal  # no time left on UTC


def test_a_person_without_a_zone_sees_the_instance_zone(clock, app, client):
    requester = gen_user(email="uma@example.org")
    incident = gen_incident(requester)
    html = page(client, requester.email, f"/my/incidents/{incident.reference}")
    assert 'title="2026-11-30 09:00 UTC"' in html


# The settings page.


def save(client, **data: object):
    """Post the settings form."""
    return client.post("/account", data=data)


def test_settings_page_offers_every_zone_and_saves_the_choice(clock, app, client):
    person = gen_user(email="ada@example.org")
    html = page(client, person.email, "/account")
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in html
    assert "The helpdesk&#39;s time zone (UTC)" in html or "The helpdesk's time zone (UTC)" in html
    assert "I am away" not in html  # agents only

    response = save(client, timezone="Asia/Tokyo")
    assert response.status_code == 302
    assert db.session.get(User, person.id).timezone == "Asia/Tokyo"
    html = client.get("/account").get_data(as_text=True)
    assert '<option selected value="Asia/Tokyo">Asia/Tokyo</option>' in html
    assert "Now it is 2026-11-30 18:00 JST for you." in html

    save(client, timezone="")
    assert db.session.get(User, person.id).timezone is None


def test_settings_page_refuses_an_unknown_zone_and_keeps_the_old_one(clock, app, client):
    person = gen_user(email="ada@example.org")
    page(client, person.email, "/account")
    save(client, timezone="Europe/Berlin")
    response = save(client, timezone="Europe/Atlantis")
    assert response.status_code == 400
    assert "Europe/Atlantis" in response.get_data(as_text=True)
    assert "is not a time zone this helpdesk knows" in response.get_data(as_text=True)
    assert db.session.get(User, person.id).timezone == "Europe/Berlin"


def test_an_agent_can_say_they_are_away_and_back(clock, app, client):
    agent = gen_user("agent", email="sam@example.org")
    html = page(client, agent.email, "/account")
    assert "I am away" in html
    save(client, timezone="Europe/Berlin", away="y")
    saved = db.session.get(User, agent.id)
    assert (saved.timezone, saved.away) == ("Europe/Berlin", True)
    save(client, timezone="Europe/Berlin")
    assert db.session.get(User, agent.id).away is False


def test_the_same_choice_made_again_is_saved_again(app):
    agent = gen_user("agent")
    for away in (True, False, True):
        accounts.update_preferences(agent, "Asia/Tokyo", away)
        assert db.session.get(User, agent.id).away is away


def test_an_end_user_cannot_be_away(clock, app, client):
    person = gen_user(email="ada@example.org")
    page(client, person.email, "/account")
    response = save(client, timezone="Asia/Tokyo", away="y")
    assert response.status_code == 400
    assert "Only agents can mark themselves away." in response.get_data(as_text=True)
    saved = db.session.get(User, person.id)
    assert (saved.timezone, saved.away) == (None, False)


def test_settings_page_needs_a_sign_in(app, client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_settings_post_without_csrf_token_changes_nothing(tmp_path):
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        person = gen_user("agent", email="sam@example.org")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(person.id)
            session["_fresh"] = True
        response = client.post("/account", data={"timezone": "Asia/Tokyo", "away": "y"})
        assert response.status_code == 400
        saved = db.session.get(User, person.id)
        assert (saved.timezone, saved.away) == (None, False)
        db.session.remove()
