"""Sign-ins end on the server: logout ends that one, a new password ends them all, so a
copied session or remember-me cookie stops working too.

Several clients play several browsers here, so no app context is held open around their
requests (the `app` fixture's would be shared by all of them, and with it Flask-Login's
idea of who is signed in): each request gets its own, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.models import User, utcnow
from helpdesk.models.user import UserSession
from tests.conftest import make_app
from tests.factories import PASSWORD, gen_user
from tests.password_mail import mailed_link

SESSION = "session"
REMEMBER = "remember_token"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app with an empty database (SQLite, then PostgreSQL) and no app context held open."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    app = make_app(tmp_path / "instance", url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def email(site: Flask) -> str:
    """The address of an account with the factories' password."""
    with site.app_context():
        return gen_user().email


def signed_in(client: FlaskClient) -> bool:
    """Whether the client gets a page that needs a sign-in (else it is sent to /login)."""
    response = client.get("/my/incidents")
    assert response.status_code == 200 or "/login" in response.headers["Location"]
    return response.status_code == 200


def browser(app: Flask, email: str, remember: bool = False) -> FlaskClient:
    """A fresh client signed in through the login form."""
    client = app.test_client()
    data = {"email": email, "password": PASSWORD, "remember": "y" if remember else ""}
    assert client.post("/login", data=data).status_code == 302
    return client


def stolen(client: FlaskClient, *names: str) -> dict[str, str]:
    """Copies of some of a client's cookies, as a thief would take them."""
    cookies = {name: client.get_cookie(name) for name in names}
    assert all(cookies.values()), f"missing cookies: {cookies}"
    return {name: cookie.value for name, cookie in cookies.items() if cookie is not None}


def holding(app: Flask, cookies: dict[str, str]) -> FlaskClient:
    """Another client (browser) holding the given cookies and nothing else."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def sign_ins(app: Flask, email: str) -> int:
    """How many sign-ins the account of `email` has on record."""
    with app.app_context():
        query = select(func.count()).select_from(UserSession).join(User)
        return db.session.scalar(query.where(User.email == email))


def test_a_copied_session_cookie_stops_working_at_logout(site: Flask, email: str) -> None:
    client = browser(site, email)
    thief = holding(site, stolen(client, SESSION))
    assert signed_in(thief)
    client.post("/logout")
    assert not signed_in(client)
    response = thief.get("/my/incidents")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert sign_ins(site, email) == 0


def test_a_copied_remember_me_cookie_stops_working_at_logout(site: Flask, email: str) -> None:
    client = browser(site, email, remember=True)
    cookie = stolen(client, REMEMBER)
    thief = holding(site, cookie)
    assert signed_in(thief)  # from the remember-me cookie alone, as after a browser restart
    client.post("/logout")
    assert not signed_in(thief)
    assert not signed_in(holding(site, cookie))


def test_logout_ends_only_that_sign_in(site: Flask, email: str) -> None:
    laptop, phone = browser(site, email), browser(site, email)
    laptop.post("/logout")
    assert signed_in(phone) and not signed_in(laptop)


def test_a_password_reset_ends_every_session_and_remember_me_cookie(
    site: Flask, email: str
) -> None:
    other_browser = browser(site, email)
    remembered = holding(site, stolen(browser(site, email, remember=True), REMEMBER))
    assert signed_in(other_browser) and signed_in(remembered)
    resetting = site.test_client()
    resetting.post("/password/forgot", data={"email": email})
    with site.app_context():
        link = mailed_link(email)
    resetting.post(link, data={"password": "a brand new pw", "confirm": "a brand new pw"})
    assert signed_in(resetting)  # signed in afresh by the reset
    assert not signed_in(other_browser)
    assert not signed_in(remembered)
    assert sign_ins(site, email) == 1


def test_changing_the_password_ends_the_other_sign_ins_and_keeps_this_one(
    site: Flask, email: str
) -> None:
    here, elsewhere = browser(site, email), browser(site, email, remember=True)
    remembered = holding(site, stolen(elsewhere, REMEMBER))
    data = {"current": PASSWORD, "password": "changed password", "confirm": "changed password"}
    assert b'href="/account/password"' in here.get("/my/incidents").data  # in the menu
    assert here.post("/account/password", data=data).status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere) and not signed_in(remembered)
    with site.app_context():
        assert accounts.find_by_email(email).check_password("changed password")


def test_changing_the_password_needs_the_current_one(site: Flask, email: str) -> None:
    here, elsewhere = browser(site, email), browser(site, email)
    data = {"current": "not my pw", "password": "changed password", "confirm": "changed password"}
    response = here.post("/account/password", data=data)
    assert b"Your current password is not right." in response.data
    assert signed_in(here) and signed_in(elsewhere)
    with site.app_context():
        assert accounts.find_by_email(email).check_password(PASSWORD)


def test_the_change_password_page_needs_a_sign_in(site: Flask) -> None:
    assert not signed_in(site.test_client())
    response = site.test_client().get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_person_is_signed_out_at_the_next_request(site: Flask, email: str) -> None:
    client = browser(site, email)
    with site.app_context():
        accounts.find_by_email(email).active = False
        db.session.commit()
    assert not signed_in(client)


def test_a_sign_in_older_than_any_cookie_may_live_is_refused_and_dropped(
    site: Flask, email: str
) -> None:
    stale = browser(site, email)
    with site.app_context():
        (row,) = db.session.scalars(select(UserSession)).all()
        row.created_at = utcnow() - accounts.longest_sign_in() - timedelta(minutes=1)
        db.session.commit()
    assert not signed_in(stale)
    fresh = browser(site, email)  # a new sign-in also clears the person's dead rows
    assert signed_in(fresh)
    assert sign_ins(site, email) == 1
