"""Signed Message-IDs verify, and tampered or foreign ones do not."""

import re

from helpdesk.notify.message_ids import SignedId, signed_message_id, verify


def test_round_trip(app):
    message_id = signed_message_id(42, 7)
    assert re.fullmatch(r"<hd\.42\.7\.[0-9a-f]{8}\.[0-9a-f]{20}@helpdesk\.localhost>", message_id)
    assert verify(message_id) == SignedId(42, 7)
    assert verify(message_id.upper()) == SignedId(42, 7)  # some clients change case


def test_each_id_is_unique(app):
    assert signed_message_id(1) != signed_message_id(1)


def test_forged_incident_number_fails(app):
    genuine = signed_message_id(42, 7)
    assert verify(genuine.replace("<hd.42.", "<hd.43.")) is None


def test_other_secret_fails(app):
    genuine = signed_message_id(42, 7)
    app.config["SECRET_KEY"] = "another instance"
    assert verify(genuine) is None


def test_foreign_ids_are_not_ours(app):
    assert verify("<CAF=abc123@mail.gmail.com>") is None
    assert verify("not an id") is None
