"""Nothing tells an outsider which addresses have accounts: registration answers the same
for every address (the owner gets an email instead), and signing in does the same
password-hash work whether or not the address is known."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, User
from tests.factories import PASSWORD, gen_user
from tests.password_mail import mailed_link, newest_mail_text


def answer(response: TestResponse, typed: str = "") -> tuple[object, ...]:
    """What a visitor can see of a response: status, where it leads, its text (without the
    address they typed, shown back in the form), and which cookies it sets with which
    attributes (the values are random either way)."""
    cookies = sorted(
        (header.split("=", 1)[0], header.split(";", 1)[1] if ";" in header else "")
        for header in response.headers.getlist("Set-Cookie")
    )
    text = response.data.replace(typed.encode(), b"(typed)") if typed else response.data
    return response.status_code, response.headers.get("Location"), text, cookies


def register(app: Flask, email: str) -> list[tuple[object, ...]]:
    """Register `email` from a fresh browser; the answer and the page it leads to."""
    client = app.test_client()
    posted = client.post("/register", data={"name": "Someone", "email": email})
    return [answer(posted), answer(client.get(posted.headers["Location"]))]


def mails_to(email: str) -> int:
    """How many emails the outbox holds for `email`."""
    query = select(func.count()).where(OutboundEmail.recipient == email)
    return db.session.scalar(query)


def test_registration_answers_the_same_for_known_and_unknown_addresses(app: Flask) -> None:
    known = gen_user().email
    emailed_first = gen_user(password=None).email
    deactivated = gen_user()
    deactivated.active = False
    db.session.commit()
    unknown = register(app, "new.person@example.org")
    assert b"Check your email to finish" in unknown[1][2]
    for email in (known, emailed_first, deactivated.email):
        assert register(app, email) == unknown, email


def test_registering_a_new_address_creates_an_account_that_waits_for_its_password(
    app: Flask,
) -> None:
    register(app, "new.person@example.org")
    user = accounts.find_by_email("new.person@example.org")
    assert user is not None and user.name == "Someone" and not user.has_password
    assert "Your Helpdesk account is ready" in newest_mail_text(user.email)


def test_the_owner_of_a_registered_address_is_told_by_email(app: Flask) -> None:
    owner = gen_user()
    register(app, owner.email.upper())
    text = newest_mail_text(owner.email)
    assert "tried to register" in text and "You already have an account" in text
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.get(User, owner.id).check_password(PASSWORD)
    assert mailed_link(owner.email).startswith("/password/reset/")


def test_someone_who_emailed_first_gets_the_link_to_choose_a_password(app: Flask) -> None:
    emailed = accounts.ensure_user_for_email("claimed@example.org", "Claimed")
    register(app, "claimed@example.org")
    assert "Choose a password" in newest_mail_text(emailed.email)
    assert db.session.get(User, emailed.id).name == "Claimed"  # not the registering name


def test_a_deactivated_account_gets_no_mail(app: Flask) -> None:
    user = gen_user()
    user.active = False
    db.session.commit()
    register(app, user.email)
    assert mails_to(user.email) == 0


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hashes that sign-ins check passwords against, in order."""
    checked: list[str] = []
    real = accounts.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    return checked


def test_every_sign_in_checks_one_hash_of_the_configured_method(
    app: Flask, hash_checks: list[str]
) -> None:
    method = app.config["PASSWORD_HASH_METHOD"]
    deactivated = gen_user()
    deactivated.active = False
    db.session.commit()
    attempts = {
        "unknown": ("nobody@example.org", PASSWORD),
        "unknown again": ("nobody.else@example.org", "other guess"),
        "no password": (gen_user(password=None).email, PASSWORD),
        "deactivated": (deactivated.email, PASSWORD),
        "wrong password": (gen_user().email, "wrong password"),
        "right password": (gen_user().email, PASSWORD),
    }
    outcomes = {key: accounts.authenticate(*attempt) for key, attempt in attempts.items()}
    assert [key for key, user in outcomes.items() if user is not None] == ["right password"]
    assert len(hash_checks) == len(attempts)
    assert all(stored.startswith(f"{method}$") for stored in hash_checks), hash_checks
    assert hash_checks[0] == hash_checks[1]  # the dummy hash is made once


def test_a_failed_sign_in_looks_the_same_for_known_and_unknown_addresses(
    app: Flask, hash_checks: list[str]
) -> None:
    known = gen_user().email
    answers = []
    for email in ("nobody@example.org", known):
        response = app.test_client().post("/login", data={"email": email, "password": "guess!"})
        answers.append(answer(response, typed=email))
    assert answers[0] == answers[1]
    assert b"Email or password is incorrect." in answers[0][2]
    assert len(hash_checks) == 2
