"""Threading headers across a conversation: In-Reply-To, References and Thread-Index, so that
Gmail, Thunderbird and Outlook show every mail about an incident as one conversation."""

import base64
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from helpdesk import incidents, notify
from helpdesk.extensions import db
from helpdesk.incidents import IncidentReport
from helpdesk.models import Message, OutboundEmail, User, utcnow
from helpdesk.notify.threads import MAX_REFERENCES, opening_thread, thread_for
from tests.factories import gen_incident, gen_user


def mails_to(person: User) -> list[EmailMessage]:
    """Everything queued for one person, parsed, oldest first."""
    query = select(OutboundEmail.raw).where(OutboundEmail.recipient == person.email)
    raws = db.session.scalars(query.order_by(OutboundEmail.id)).all()
    return [message_from_bytes(raw, policy=policy.default) for raw in raws]


def references(mail: EmailMessage) -> list[str]:
    """The References header as a list of ids (empty when absent)."""
    return str(mail["References"] or "").split()


def index_bytes(mail: EmailMessage) -> bytes:
    """The decoded Thread-Index."""
    return base64.b64decode(str(mail["Thread-Index"]))


def emailed_incident(requester: User, message_id: str):
    """Open an incident the way the mail gateway does for a new email."""
    report = IncidentReport(
        subject="VPN drops", description="It drops.", channel="email", email_message_id=message_id
    )
    return incidents.open_incident(requester, report)


def test_portal_conversation_chains_each_mail_to_the_previous_one(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.add_reply(incident, agent, "First answer.", "agent")
    incidents.add_reply(incident, agent, "Second answer.", "agent")
    incidents.resolve(incident, agent, "fixed", "Replaced the cable.")
    ack, first, second, resolved = mails_to(requester)
    assert ack["In-Reply-To"] is None and ack["References"] is None
    ids = [mail["Message-ID"] for mail in (ack, first, second)]
    assert first["In-Reply-To"] == ids[0] and references(first) == ids[:1]
    assert second["In-Reply-To"] == ids[1] and references(second) == ids[:2]
    assert resolved["In-Reply-To"] == ids[2] and references(resolved) == ids


def test_mail_answers_the_requesters_latest_email(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = emailed_incident(requester, "<first@client.example>")
    incidents.add_reply(incident, agent, "Which client version?", "agent")
    incidents.add_reply(
        incident, requester, "Version 5.", "email", email_message_id="<second@client.example>"
    )
    incidents.add_reply(incident, agent, "Please update to 6.", "agent")
    ack, question, answer = mails_to(requester)
    assert ack["In-Reply-To"] == "<first@client.example>"
    assert references(ack) == ["<first@client.example>"]
    assert question["In-Reply-To"] == "<first@client.example>"
    assert references(question)[-1] == "<first@client.example>"
    assert answer["In-Reply-To"] == "<second@client.example>"
    assert references(answer) == [
        "<first@client.example>",
        ack["Message-ID"],
        question["Message-ID"],
        "<second@client.example>",
    ]


def test_ids_that_cannot_go_in_a_header_are_left_out(app):
    requester = gen_user()
    emailed_incident(requester, "broken id\r\nBcc: x@example.org")
    (ack,) = mails_to(requester)
    assert ack["In-Reply-To"] is None and ack["Bcc"] is None


def test_ids_carrying_encoded_words_are_left_out(app):
    requester, agent = gen_user(), gen_user("agent")
    sneaky = "<=?utf-8?b?" + base64.b64encode(b"\r\nBcc: x@example.org").decode() + "?=@evil>"
    incident = emailed_incident(requester, sneaky)
    incidents.add_reply(incident, agent, "Hello.", "agent")
    for mail in mails_to(requester):
        assert mail["Bcc"] is None and sneaky not in str(mail["References"] or "")


def test_bare_ids_get_their_angle_brackets(app):
    requester = gen_user()
    emailed_incident(requester, "bare@client.example")
    (ack,) = mails_to(requester)
    assert ack["In-Reply-To"] == "<bare@client.example>"


def test_references_keep_the_root_and_the_newest_ids(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    for number in range(MAX_REFERENCES + 4):
        incidents.add_reply(incident, agent, f"Update {number}.", "agent")
    mails = mails_to(requester)
    last = references(mails[-1])
    assert len(last) == MAX_REFERENCES
    assert last[0] == mails[0]["Message-ID"]
    assert last[1:] == [mail["Message-ID"] for mail in mails[-MAX_REFERENCES:-1]]


def test_each_recipient_has_their_own_chain(app):
    requester, agent, colleague = gen_user(), gen_user("agent"), gen_user()
    incident = gen_incident(requester, participants=[colleague])
    incidents.add_reply(incident, agent, "Looking into it.", "agent")
    (to_colleague,) = mails_to(colleague)
    assert to_colleague["In-Reply-To"] is None  # their first mail starts their thread
    assert mails_to(requester)[-1]["In-Reply-To"] == mails_to(requester)[0]["Message-ID"]


def test_thread_index_root_is_stable_and_each_mail_adds_a_block(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.assign(incident, gen_user("agent"), None, agent.id)
    incidents.add_reply(incident, agent, "One.", "agent")
    incidents.add_reply(incident, requester, "Thanks.")
    incidents.add_reply(incident, agent, "Two.", "agent")
    to_requester = [index_bytes(mail) for mail in mails_to(requester)]
    to_agent = [index_bytes(mail) for mail in mails_to(agent)]
    assert [len(value) for value in to_requester] == [22, 27, 32]
    assert to_requester[1].startswith(to_requester[0]) and to_requester[2].startswith(
        to_requester[1]
    )
    assert {value[:22] for value in to_requester + to_agent} == {to_requester[0]}
    assert [len(value) for value in to_agent] == [22, 27]


def test_other_incidents_have_other_thread_roots(app):
    requester = gen_user()
    gen_incident(requester)
    gen_incident(requester)
    first, second = mails_to(requester)
    assert index_bytes(first)[:22] != index_bytes(second)[:22]
    assert first["Thread-Topic"] != second["Thread-Topic"]


@pytest.mark.parametrize(
    "channel, message_id",
    [
        ("email", "<report@example.org>"),
        ("email", "bare@example.org"),
        ("email", "no id"),
        ("portal", None),
    ],
)
def test_an_acknowledgement_threads_as_the_queries_would(app, channel, message_id):
    """opening_thread (the acknowledgement's headers, from the report) = thread_for."""
    requester = gen_user()
    report = IncidentReport(
        subject="VPN drops", description="It drops.", channel=channel, email_message_id=message_id
    )
    with notify.suppressed():
        incident = incidents.open_incident(requester, report)
    first = db.session.scalars(select(Message).where(Message.incident_id == incident.id)).one()
    now = utcnow()
    assert opening_thread(incident, first, now) == thread_for(incident, requester.email, now)
