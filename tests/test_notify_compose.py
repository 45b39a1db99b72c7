"""What every outgoing mail looks like once parsed back from the outbox folder: addresses,
subject, signed Message-ID, loop-stopping headers, text and HTML parts, attachments."""

import base64
import random
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk import accounts, incidents
from helpdesk.core.urls import external_url
from helpdesk.extensions import db
from helpdesk.incidents import NewAttachment
from helpdesk.models import OutboundEmail
from helpdesk.notify import compose
from helpdesk.notify.message_ids import SignedId, verify
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_user

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\xff binary \r\n bytes"


def delivered(app) -> list[EmailMessage]:
    """Every .eml file the file transport wrote, parsed, oldest first."""
    files = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def body(mail: EmailMessage, kind: str = "plain") -> str:
    """The text or HTML part's content with the CRLF line ends of the wire format undone."""
    return mail.get_body((kind,)).get_content().replace("\r\n", "\n")


def row_for(mail: EmailMessage) -> OutboundEmail:
    """The outbox row a delivered mail came from."""
    query = select(OutboundEmail).where(OutboundEmail.message_id == mail["Message-ID"])
    return db.session.scalars(query).one()


def test_acknowledgement_has_every_header(app):
    requester = gen_user(name="Ada Lovelace")
    incident = gen_incident(requester, subject="Monitor flickers")
    (mail,) = delivered(app)
    sender = mail["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Helpdesk", "support@helpdesk.localhost")
    assert mail["To"].addresses[0].addr_spec == requester.email
    assert mail["To"].addresses[0].display_name == "Ada Lovelace"
    assert mail["Reply-To"].addresses[0].addr_spec == "support@helpdesk.localhost"
    assert mail["Subject"] == f"[{incident.reference}] Monitor flickers"
    assert mail["Thread-Topic"] == "Monitor flickers"
    assert abs(mail["Date"].datetime - datetime.now(UTC)) < timedelta(minutes=1)
    assert verify(mail["Message-ID"]) == SignedId(incident.id, 0)
    assert row_for(mail).recipient == requester.email


def test_automatic_notices_say_so_and_suppress_out_of_office(app):
    gen_incident()
    (mail,) = delivered(app)
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert row_for(mail).automatic is True


def test_agent_reply_is_personal_and_names_its_message(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    message = incidents.add_reply(incident, agent, "Try turning it off and on again.", "agent")
    mail = delivered(app)[-1]
    assert mail["Auto-Submitted"] is None
    assert mail["X-Auto-Response-Suppress"] is None
    assert verify(mail["Message-ID"]) == SignedId(incident.id, message.id)
    row = row_for(mail)
    assert (row.automatic, row.message_row_id) == (False, message.id)
    assert message.email_message_id == mail["Message-ID"]


def test_a_message_that_came_by_email_keeps_its_own_message_id(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.assign(incident, agent, None, agent.id)
    message = incidents.add_reply(
        incident, requester, "Still broken", "email", email_message_id="<abc@mail.example.org>"
    )
    mail = delivered(app)[-1]
    assert mail["To"].addresses[0].addr_spec == agent.email
    assert message.email_message_id == "<abc@mail.example.org>"
    assert verify(mail["Message-ID"]) == SignedId(incident.id, message.id)


def test_text_and_html_alternatives_with_user_text_escaped(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.add_reply(incident, agent, "Run <script>alert(1)</script>\nthen & reboot", "agent")
    mail = delivered(app)[-1]
    assert mail.get_content_type() == "multipart/alternative"
    text, html = body(mail), body(mail, "html")
    assert "Run <script>alert(1)</script>\nthen & reboot" in text
    assert "Run &lt;script&gt;alert(1)&lt;/script&gt;<br>\nthen &amp; reboot" in html
    assert "<script>" not in html
    assert f'href="http://helpdesk.test/my/incidents/{incident.reference}"' in html


def test_agent_reply_carries_its_attachments(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    files = [
        NewAttachment("screen.png", "image/png", PNG),
        NewAttachment("Prüfbericht März.txt", "text/plain", "Grüße\n".encode()),
    ]
    incidents.add_reply(incident, agent, "See the attached files.", "agent", attachments=files)
    mail = delivered(app)[-1]
    assert mail.get_content_type() == "multipart/mixed"
    assert "See the attached files." in body(mail)
    got = {part.get_filename(): part.get_payload(decode=True) for part in mail.iter_attachments()}
    assert got == {"screen.png": PNG, "Prüfbericht März.txt": "Grüße\n".encode()}


def test_attachments_beyond_the_size_budget_are_linked_instead(app):
    reconfigure(app, MAIL_ATTACHMENT_BUDGET_MB=1)
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    files = [
        NewAttachment("small.txt", "text/plain", b"small"),
        NewAttachment("huge.bin", "application/octet-stream", b"x" * (1024 * 1024 + 1)),
    ]
    message = incidents.add_reply(incident, agent, "Two files.", "agent", attachments=files)
    mail = delivered(app)[-1]
    assert [part.get_filename() for part in mail.iter_attachments()] == ["small.txt"]
    huge = message.attachments[1]
    link = f"http://helpdesk.test/attachments/{huge.id}/huge.bin"
    assert link in body(mail)
    assert f'href="{link}"' in body(mail, "html")


def test_crlf_in_names_and_subjects_cannot_inject_headers(app):
    reconfigure(app, SITE_NAME="Help\r\nBcc: site@evil.example")
    requester = gen_user(name="Eve\r\nBcc: victim@example.org")
    gen_incident(requester, subject="Help\r\nBcc: everyone@example.org\r\n\r\nbody")
    raw = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))[0].read_bytes()
    headers = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers
    (mail,) = delivered(app)
    assert mail["Bcc"] is None
    assert [a.addr_spec for a in mail["To"].addresses] == [requester.email]
    assert mail["To"].addresses[0].display_name == "Eve Bcc: victim@example.org"
    assert mail["From"].addresses[0].display_name == "Help Bcc: site@evil.example"
    assert mail["Subject"].endswith("] Help Bcc: everyone@example.org body")


def test_encoded_words_in_names_and_subjects_cannot_inject_headers(app):
    sneaky = "=?utf-8?b?" + base64.b64encode(b"\r\nBcc: victim@example.org").decode() + "?="
    reconfigure(app, SITE_NAME=f"Help {sneaky}")
    requester = gen_user(name=f"Eve {sneaky}")
    gen_incident(requester, subject=f"Help {sneaky}")
    raw = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))[0].read_bytes()
    assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0]
    (mail,) = delivered(app)
    assert mail["Bcc"] is None
    assert mail["Subject"].endswith(f"] Help {sneaky}")  # shown literally, as typed
    assert "\r" not in mail["To"].addresses[0].display_name
    assert "\n" not in mail["From"].addresses[0].display_name


def test_non_ascii_and_very_long_subjects_keep_every_space(app):
    subject = "Drucker im 3. Stock druckt nur Kästchen " + "é " * 60 + "山田 太郎 第二課"
    incident = gen_incident(subject=subject)
    raw = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))[0].read_bytes()
    assert f"Subject: [{incident.reference}]".encode() in raw  # the token stays readable
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    (mail,) = delivered(app)
    assert mail["Subject"] == f"[{incident.reference}] {subject.strip()}"
    assert mail["Thread-Topic"] == subject.strip()
    assert row_for(mail).subject == mail["Subject"][:255]


def test_names_with_quotes_and_non_ascii_names_arrive_exactly(app):
    reconfigure(app, SITE_NAME='IT "Help" \\ Desk')
    requester = gen_user(name='Zoë O\'Brien-Østergård, "Dr." 山田 ' + "é" * 40)
    gen_incident(requester)
    raw = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))[0].read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    # RFC 2047 decoding, as mail clients do it (the stdlib's address parser adds spaces
    # between adjacent encoded words, for its own output too).
    to = message_from_bytes(raw, policy=policy.compat32)["To"]
    assert str(make_header(decode_header(to))) == f"{requester.name} <{requester.email}>"
    (mail,) = delivered(app)
    assert mail["To"].addresses[0].addr_spec == requester.email
    assert mail["From"].addresses[0].display_name == 'IT "Help" \\ Desk'
    assert mail["Reply-To"].addresses[0].addr_spec == app.config["SUPPORT_ADDRESS"]


NASTY = [
    "\r",
    "\n",
    "\r\n",
    "\t",
    " ",
    ":",
    ";",
    ",",
    '"',
    "\\",
    "<",
    ">",
    "(",
    ")",
    "=?",
    "?=",
    "=?utf-8?b?DQpCY2M6IHhAZXZpbC5leGFtcGxl?=",
    "Bcc: x@evil.example",
    "\x00",
    "\x1b",
    "\u2028",
    "\x85",
    "é",
    "山田",
    "😀",
    "a",
    "Z",
    "9",
    "[INC-000001]",
    "-" * 40,
]


def test_random_names_and_subjects_never_add_a_header_and_arrive_intact(app):
    rng = random.Random(2026)
    for number in range(80):
        name = "".join(rng.choice(NASTY) for _ in range(rng.randint(0, 12)))
        subject = "x" + "".join(rng.choice(NASTY) for _ in range(rng.randint(0, 25)))
        requester = gen_user(name=name, email=f"fuzz{number}@example.org")
        incident = gen_incident(requester, subject=subject[:200])
        token = f"[{incident.reference}]".encode()
        files = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
        data = next(b for b in (f.read_bytes() for f in files) if token in b.split(b"\r\n\r\n")[0])
        head = data.split(b"\r\n\r\n", 1)[0]
        assert b"\n" not in head.replace(b"\r\n", b""), "a bare line break in the headers"
        names = {line.split(b":", 1)[0] for line in head.split(b"\r\n") if line[:1].strip()}
        assert b"Bcc" not in names and b"bcc" not in names
        mail = message_from_bytes(data, policy=policy.default)
        assert [a.addr_spec for a in mail["To"].addresses] == [requester.email]
        assert not {"\r", "\n"} & set(mail["To"].addresses[0].display_name)
        assert mail["Subject"] == f"[{incident.reference}] {compose.one_line(incident.subject)}"


def test_a_header_value_that_escaped_its_formatting_is_refused(app):
    mail = EmailMessage()
    for value in ("a\nBcc: x@example.org", "a\r\n b", "Zoë"):
        with pytest.raises(ValueError, match="unsafe Subject"):
            compose._set_raw(mail, "Subject", value)
    compose._set_raw(mail, "Subject", "folded\n line")
    assert mail["Subject"] == "folded line"


def test_password_link_is_plain_text_and_auto_generated(app):
    user = gen_user()
    accounts.send_password_link(user)
    (mail,) = delivered(app)
    assert mail.get_content_type() == "text/plain"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert "/password/reset/" in mail.get_content()
    assert row_for(mail).automatic is False  # never counts toward the hourly limit


def test_queued_mail_has_the_crlf_line_ends_smtp_needs(app):
    gen_incident()
    raw = db.session.scalars(select(OutboundEmail.raw)).one()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize("base", ["http://127.0.0.1:5000", "https://help.example.org/desk"])
def test_links_in_mail_are_built_on_the_base_url(app, base):
    reconfigure(app, BASE_URL=base)
    link = external_url("attachments.download", attachment_id=3, filename="a b/ü.txt")
    assert link == f"{base}/attachments/3/a%20b/%C3%BC.txt"
