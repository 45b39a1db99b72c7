"""Password links: single use, expiring, and how people who emailed first get a password."""

import time

import pytest
from sqlalchemy import select

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.incidents import InvalidInput
from helpdesk.models import OutboundEmail
from tests.conftest import reconfigure
from tests.factories import gen_user
from tests.password_mail import mailed_link


def test_forgot_password_mails_a_link_that_works_once(client):
    user = gen_user()
    client.post("/password/forgot", data={"email": user.email})
    link = mailed_link(user.email)
    response = client.post(link, data={"password": "brand new pw", "confirm": "brand new pw"})
    assert response.status_code == 302
    assert db.session.get(type(user), user.id).check_password("brand new pw")
    client.post("/logout")
    reused = client.get(link, follow_redirects=True)
    assert b"already been used" in reused.data


def test_forgot_password_does_not_reveal_unknown_addresses(client):
    response = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert b"If that address has an account" in response.data
    assert db.session.scalars(select(OutboundEmail)).all() == []


def test_expired_link_is_refused(app):
    user = gen_user()
    token = accounts.password_token(user)
    reconfigure(app, PASSWORD_RESET_MAX_AGE_SECONDS=1)
    time.sleep(2)  # token ages are whole seconds: 2 is more than 1 whenever the clock ticks
    with pytest.raises(InvalidInput, match="expired"):
        accounts.user_for_token(token)


def test_tampered_link_is_refused(app):
    token = accounts.password_token(gen_user())
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.user_for_token(token[:-2] + "xx")


def test_first_contact_by_email_gets_account_without_password(client):
    user = accounts.ensure_user_for_email("New.Person@Example.org", "New Person")
    assert not user.has_password
    assert accounts.ensure_user_for_email("new.person@example.org").id == user.id
    client.post("/password/forgot", data={"email": user.email})
    link = mailed_link(user.email)
    client.post(link, data={"password": "my first pw", "confirm": "my first pw"})
    assert client.get("/my/incidents").status_code == 200


def test_registering_an_emailed_address_sends_a_link_instead_of_taking_over(client):
    user = accounts.ensure_user_for_email("claimed@example.org", "Claimed")
    response = client.post(
        "/register",
        data={"name": "Impostor", "email": "claimed@example.org"},
        follow_redirects=True,
    )
    assert b"Check your email to finish" in response.data
    assert client.get("/my/incidents").status_code == 302
    assert not db.session.get(type(user), user.id).has_password
    assert mailed_link("claimed@example.org").startswith("/password/reset/")


def test_admin_cannot_demote_self(app):
    admin = gen_user("admin")
    with pytest.raises(InvalidInput, match="your own admin role"):
        accounts.update_user(admin.id, admin.name, "agent", True, admin)


def test_create_user_validates(app):
    with pytest.raises(InvalidInput, match="valid email"):
        accounts.create_user("not-an-address", "X")
    with pytest.raises(InvalidInput, match="Role must be"):
        accounts.create_user("x@example.org", "X", "root")
    with pytest.raises(InvalidInput, match="at least 8"):
        accounts.create_user("x@example.org", "X", "user", "short")
