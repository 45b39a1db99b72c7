"""One address rule everywhere, and intranet addresses (corp.local, .test, .internal, .lan,
.home.arpa, .localhost) working end to end: created, mailed, password set, signed in."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import accounts, cli
from helpdesk.addresses import InvalidAddress, is_address, normalise_address
from helpdesk.extensions import db
from helpdesk.incidents import InvalidInput
from helpdesk.models import Incident, User
from helpdesk.web.auth.forms import LoginForm
from mail_gateway.decode import addresses
from mail_gateway.ingest import ingest
from tests.factories import PASSWORD
from tests.password_mail import mailed_link

INTRANET = [
    "ann@corp.local",
    "ann@example.test",
    "ann@files.internal",
    "ann@nas.lan",
    "ann@printer.home.arpa",
    "ann@app.localhost",
    "ann@localhost",
    "ann@intranet",
]
OTHERS = [
    "ann@example.org",
    "first.last+tag@example.co.uk",
    "ops@[192.0.2.1]",
    "x@mail_srv.example.com",
    "ana@bücher.example",
    "o'brien@example.org",
]
NOT_ADDRESSES = [
    "ann",
    "ann@",
    "@corp.local",
    "ann@@corp.local",
    "ann smith@corp.local",
    "ann@corp local",
    "news@vendo=r.example",
    "a@b..example",
    "<ann@corp.local>",
    "ann@[192.0.2.1",
    "ann\x85@corp.local",  # a C1 control character
    "ann@corp.local\x00",
    "a" * 245 + "@corp.local",  # 255 characters
]


@pytest.mark.parametrize("value", INTRANET + OTHERS)
def test_intranet_and_ordinary_addresses_are_addresses(value: str) -> None:
    assert is_address(value)
    assert normalise_address(f"  {value.upper()} ") == value.lower()


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_other_text_is_not_an_address(value: str) -> None:
    assert not is_address(value)
    with pytest.raises(InvalidAddress):
        normalise_address(value)


def test_the_refusal_says_what_is_wrong() -> None:
    with pytest.raises(InvalidAddress, match="Enter an email address"):
        normalise_address("  ")
    with pytest.raises(InvalidAddress, match="at most 254 characters"):
        normalise_address("a" * 250 + "@corp.local")
    with pytest.raises(InvalidAddress, match="like ann@example"):
        normalise_address("ann@")


def _form_accepts(value: str) -> bool:
    form = LoginForm(formdata=None, data={"email": value, "password": "x"})
    return form.validate()


def _gateway_accepts(value: str) -> bool:
    raw = f"From: Someone <{value}>\n\n".encode("utf-8", "surrogateescape")
    found = addresses(message_from_bytes(raw, policy=policy.default), "from", [])
    return [address for _, address in found] == [value]


def _accounts_accept(value: str) -> bool:
    try:
        accounts.create_user(value, "Someone")
    except InvalidInput:
        return False
    return True


@pytest.mark.parametrize("value", [v for v in INTRANET + OTHERS + NOT_ADDRESSES if v.isprintable()])
def test_accounts_forms_and_gateway_decide_alike(app: Flask, value: str) -> None:
    verdicts = {
        "rule": is_address(value),
        "accounts": _accounts_accept(value),
        "form": _form_accepts(value),
        "gateway": _gateway_accepts(value),
    }
    assert len(set(verdicts.values())) == 1, verdicts


def sign_in(client: FlaskClient, email: str, password: str) -> None:
    """Sign in through the login form and check it worked."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.data
    assert client.get("/my/incidents").status_code == 200


def choose_password(client: FlaskClient, email: str, password: str) -> None:
    """Follow the newest password link mailed to `email` and choose `password`."""
    response = client.post(mailed_link(email), data={"password": password, "confirm": password})
    assert response.status_code == 302, response.data


def test_an_account_made_by_the_cli_at_corp_local_signs_in_and_resets(
    app: Flask, client: FlaskClient
) -> None:
    result = app.test_cli_runner().invoke(
        cli.main,
        ["user", "create", "--email", "Ann@Corp.Local", "--name", "Ann"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    sign_in(client, "ann@corp.local", PASSWORD)
    client.post("/logout")
    forgot = client.post("/password/forgot", data={"email": "ann@corp.local"})
    assert forgot.status_code == 302
    choose_password(client, "ann@corp.local", "a new password")
    client.post("/logout")
    sign_in(client, "ANN@corp.local", "a new password")


def test_an_account_made_by_the_cli_with_a_mailed_link_at_lan(
    app: Flask, client: FlaskClient
) -> None:
    result = app.test_cli_runner().invoke(
        cli.main,
        ["user", "create", "--email", "dan@nas.lan", "--name", "Dan", "--send-link"],
    )
    assert result.exit_code == 0, result.output
    assert "Created user dan@nas.lan, and mailed a link to choose a password" in result.output
    assert not accounts.find_by_email("dan@nas.lan").has_password
    choose_password(client, "dan@nas.lan", "dans password")
    client.post("/logout")
    sign_in(client, "dan@nas.lan", "dans password")


def test_someone_who_emailed_from_home_arpa_sets_a_password_and_sees_the_incident(
    app: Flask, client: FlaskClient
) -> None:
    mail = EmailMessage()
    mail["From"] = "Bob Builder <bob@printer.home.arpa>"
    mail["To"] = "support@helpdesk.localhost"
    mail["Subject"] = "Scanner offline"
    mail["Message-ID"] = "<scanner-1@printer.home.arpa>"
    mail.set_content("The scanner on floor 3 is offline.")
    assert ingest(bytes(mail), "test").outcome == "new_incident"
    bob = db.session.scalars(select(User).where(User.email == "bob@printer.home.arpa")).one()
    assert not bob.has_password
    client.post("/password/forgot", data={"email": "bob@printer.home.arpa"})
    choose_password(client, "bob@printer.home.arpa", "bobs password")
    client.post("/logout")
    sign_in(client, "bob@printer.home.arpa", "bobs password")
    reference = db.session.scalars(select(Incident.reference)).one()
    assert reference.encode() in client.get("/my/incidents").data


def test_registering_at_example_test_works(client: FlaskClient) -> None:
    response = client.post(
        "/register", data={"name": "Carol", "email": "carol@example.test"}, follow_redirects=True
    )
    assert b"Check your email to finish" in response.data
    choose_password(client, "carol@example.test", "carols password")
    client.post("/logout")
    sign_in(client, "carol@example.test", "carols password")
