"""The read side of mail awaiting review: the summary a review queue row shows, and the
count on its tab, on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import NOTE, Message, utcnow
from helpdesk.reads.flagged_mail import (
    FlaggedMail,
    Sender,
    count_query,
    flagged_mail,
    summary_query,
)
from helpdesk.reads.queues import sqlite_plan
from tests.factories import gen_incident, gen_user


@pytest.fixture
def strangers(db_app):
    """Two people who are not on any incident."""
    return (
        gen_user(name="Sid Stranger", email="sid@elsewhere.example"),
        gen_user(name="Tess Outsider", email="tess@elsewhere.example"),
    )


def arrived(message: Message, minutes_ago: int) -> None:
    """Set when a mail arrived (the service layer always stamps 'now')."""
    moment = utcnow() - timedelta(minutes=minutes_ago)
    db.session.execute(update(Message).where(Message.id == message.id).values(created_at=moment))
    db.session.commit()


def test_summary_counts_the_mail_and_names_the_newest_sender_first(strangers):
    sid, tess = strangers
    incident = gen_incident()
    oldest = incidents.add_flagged_note(incident, sid, "First")
    newest = incidents.add_flagged_note(incident, tess, "Second", reason="Tess is not on it.")
    again = incidents.add_flagged_note(incident, sid, "Third")
    arrived(oldest, 30)
    arrived(newest, 5)
    arrived(again, 20)
    summary = flagged_mail([incident.id])[incident.id]
    assert summary == FlaggedMail(
        count=3,
        newest_id=newest.id,
        newest_at=db.session.get(Message, newest.id).created_at,
        newest_reason="Tess is not on it.",
        senders=(
            Sender("Tess Outsider", "tess@elsewhere.example"),
            Sender("Sid Stranger", "sid@elsewhere.example"),
        ),
    )


def test_reviewed_mail_and_other_incidents_are_left_out(strangers):
    sid, _ = strangers
    agent = gen_user("agent")
    asked, calm, other = gen_incident(), gen_incident(), gen_incident()
    kept = incidents.add_flagged_note(asked, sid, "Waiting")
    seen = incidents.add_flagged_note(asked, sid, "Seen")
    incidents.mark_reviewed(asked, seen.id, agent)
    incidents.add_note(calm, agent, "An ordinary note")
    incidents.add_flagged_note(other, sid, "Not asked about")
    found = flagged_mail([asked.id, calm.id])
    assert list(found) == [asked.id]
    assert (found[asked.id].count, found[asked.id].newest_id) == (1, kept.id)
    assert flagged_mail([]) == {}


def test_mail_without_a_known_sender_says_so(db_app):
    incident = gen_incident()
    db.session.add(
        Message(incident_id=incident.id, kind=NOTE, channel="email", body="?", needs_review=True)
    )
    db.session.commit()
    assert flagged_mail([incident.id])[incident.id].senders == (Sender("Unknown sender", None),)


def test_count_is_of_incidents_not_of_mails(strangers):
    sid, tess = strangers
    assert db.session.scalar(count_query()) == 0
    first, second = gen_incident(), gen_incident()
    incidents.add_flagged_note(first, sid, "One")
    incidents.add_flagged_note(first, tess, "Two")
    incidents.add_flagged_note(second, sid, "Three")
    assert db.session.scalar(count_query()) == 2


def test_queries_read_the_review_index(app):
    for statement in (count_query(), summary_query([1, 2, 3])):
        plan = sqlite_plan(statement)
        messages = [line for line in plan if " messages " in f"{line} "]
        assert messages and all("ix_messages_review" in line for line in messages), plan
