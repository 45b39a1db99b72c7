"""addresses.py and who gets mail: an address is mailed at its ASCII spelling, or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail
from helpdesk.notify import audience
from helpdesk.notify.addresses import ascii_address
from tests.factories import gen_incident, gen_user


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("ana@example.org", "ana@example.org"),
        (" ana@example.org ", "ana@example.org"),
        ("ana@bücher.example", "ana@xn--bcher-kva.example"),
        ("ana@münchen.bücher.example", "ana@xn--mnchen-3ya.xn--bcher-kva.example"),
        ('"ana b"@example.org', '"ana b"@example.org'),
        ("jörg@example.de", None),
        ("用户@例子.广告", None),
        ("no-at-sign", None),
        ("@example.org", None),
        ("ana@" + "ü" * 70 + ".example", None),  # a label too long for IDNA
    ],
)
def test_ascii_address(address: str, expected: str | None) -> None:
    assert ascii_address(address) == expected


def test_a_mailbox_name_beyond_ascii_is_refused_with_the_reason(app) -> None:
    beyond_ascii = gen_user(email="jörg@example.de")
    international_domain = gen_user(email="ana@bücher.example")
    assert audience.refusal(beyond_ascii, None, automatic=False) == audience.NEEDS_SMTPUTF8
    candidates = [beyond_ascii, international_domain]
    assert audience.recipients(candidates, None, automatic=True) == [international_domain]


def test_notices_skip_such_an_address_and_the_change_still_happens(app) -> None:
    requester = gen_user(email="jörg@example.de")
    incident = gen_incident(requester, subject="VPN")
    db.session.commit()
    assert incident.reference
    assert db.session.scalars(select(OutboundEmail)).all() == []


def test_a_password_link_for_such_an_address_is_not_queued_and_nothing_breaks(app) -> None:
    person = gen_user(email="jörg@example.de", password=None)
    accounts.send_password_link(person)
    assert db.session.scalars(select(OutboundEmail)).all() == []
    other = gen_user(email="ana@bücher.example", password=None)
    accounts.send_password_link(other)
    (row,) = db.session.scalars(select(OutboundEmail)).all()
    assert row.recipient == "ana@bücher.example" and b"ana@xn--bcher-kva.example" in row.raw
