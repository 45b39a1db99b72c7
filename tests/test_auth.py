"""Signing in and out, registration, rate limiting and safe redirects."""

import pytest

from helpdesk.extensions import db
from helpdesk.models import User
from tests.conftest import AuthActions, make_app
from tests.factories import PASSWORD, gen_user
from tests.password_mail import mailed_link, newest_mail_text


def test_login_and_logout(client, auth):
    user = gen_user()
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get("/my/incidents").status_code == 200
    auth.logout()
    assert client.get("/my/incidents").status_code == 302


def test_login_is_case_insensitive_on_email(client, auth):
    user = gen_user(email="Mixed.Case@Example.org")
    assert user.email == "mixed.case@example.org"
    auth.login("MIXED.case@example.ORG")
    assert client.get("/my/incidents").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part(client, auth):
    user = gen_user()
    response = auth.login(user.email, "wrong password")
    assert b"Email or password is incorrect." in response.data
    assert client.get("/my/incidents").status_code == 302


def test_account_without_password_cannot_sign_in(client, auth):
    user = gen_user(password=None)
    response = auth.login(user.email, "")
    assert response.status_code == 200
    assert client.get("/my/incidents").status_code == 302


def test_deactivated_account_cannot_sign_in(client, auth):
    user = gen_user()
    user.active = False
    db.session.commit()
    assert b"incorrect" in auth.login(user.email).data


def test_logout_needs_post(client, auth):
    auth.login(gen_user().email)
    assert client.get("/logout").status_code == 405


def test_register_creates_user_and_mails_a_link_to_choose_the_password(client):
    response = client.post("/register", data={"name": "Ann Example", "email": "Ann@Example.org"})
    assert response.status_code == 302
    user = db.session.scalars(db.select(User).filter_by(email="ann@example.org")).one()
    assert user.role == "user" and user.name == "Ann Example" and not user.has_password
    assert client.get("/my/incidents").status_code == 302  # not before the address is proven
    link = mailed_link("ann@example.org")
    client.post(link, data={"password": "long enough pw", "confirm": "long enough pw"})
    assert client.get("/my/incidents").status_code == 200
    assert db.session.get(User, user.id).check_password("long enough pw")


def test_password_form_refuses_short_password_and_mismatch(client):
    user = gen_user(password=None)
    client.post("/password/forgot", data={"email": user.email})
    response = client.post(mailed_link(user.email), data={"password": "short", "confirm": "other"})
    assert b"Field must be at least 8 characters long." in response.data
    assert b"Passwords differ." in response.data
    assert not db.session.get(User, user.id).has_password


def test_register_never_takes_over_an_existing_address(client):
    user = gen_user()
    response = client.post(
        "/register", data={"name": "X", "email": user.email}, follow_redirects=True
    )
    assert b"Check your email to finish" in response.data
    assert b"already" not in response.data
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert "You already have an account" in newest_mail_text(user.email)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/my/incidents/new", "/my/incidents/new"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_next_redirects_only_to_local_paths(client, target, expected):
    user = gen_user()
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.headers["Location"] == expected


def test_login_is_rate_limited(tmp_path):
    app = make_app(tmp_path / "instance", RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = gen_user()
        auth = AuthActions(app.test_client())
        codes = [auth.login(user.email, "wrong").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert b"Please wait a minute" in auth.login(user.email).data


def test_session_cookie_is_httponly_and_samesite(client, auth):
    auth.login(gen_user().email)
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_secrets_and_passwords_are_not_logged(client, caplog):
    user = gen_user()
    with caplog.at_level("DEBUG"):
        client.post("/login", data={"email": user.email, "password": "hunter2-secret"})
    assert "hunter2-secret" not in caplog.text
    assert user.email not in caplog.text
