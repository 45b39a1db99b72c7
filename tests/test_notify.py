"""Which events email whom: the right people, once each, never the actor, an inactive
account or a bouncing address, and automatic notices capped per recipient per hour."""

from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update

from helpdesk import incidents, notify
from helpdesk.extensions import db
from helpdesk.models import Incident, OutboundEmail, User, utcnow
from helpdesk.notify import audience
from helpdesk.notify.intents import queue_email
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_team, gen_user
from tests.sla_policy import seed_standard


def inbox(person: User) -> list[EmailMessage]:
    """Everything queued for one person, parsed, oldest first."""
    query = select(OutboundEmail.raw).where(OutboundEmail.recipient == person.email)
    raws = db.session.scalars(query.order_by(OutboundEmail.id)).all()
    return [message_from_bytes(raw, policy=policy.default) for raw in raws]


def text(mail: EmailMessage) -> str:
    """The plain-text part, with the wire format's CRLF undone."""
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html(mail: EmailMessage) -> str:
    """The HTML part, with the wire format's CRLF undone."""
    return mail.get_body(("html",)).get_content().replace("\r\n", "\n")


def total() -> int:
    """How many mails are in the outbox."""
    return db.session.query(OutboundEmail).count()


@dataclass
class Crowd:
    """The people around one incident."""

    requester: User
    colleague: User
    agent: User
    other: User
    incident: Incident


@pytest.fixture
def crowd(app) -> Crowd:
    """A requester with a participant, a service desk agent assigned, and a second agent."""
    requester, colleague = gen_user(name="Rita Requester"), gen_user(name="Cole Colleague")
    agent, other = gen_user("agent", name="Ann Agent"), gen_user("agent", name="Otto Other")
    gen_team("Service Desk", [agent, other], service_desk=True)
    incident = gen_incident(requester, subject="Printer jam", participants=[colleague])
    incidents.assign(incident, other, None, agent.id)
    return Crowd(requester, colleague, agent, other, incident)


def test_acknowledgement_goes_to_the_requester_only(crowd):
    (ack,) = inbox(crowd.requester)
    for part in (text(ack), html(ack)):
        assert crowd.incident.reference in part
        assert f"http://helpdesk.test/my/incidents/{crowd.incident.reference}" in part
        assert "reply to this" in part.lower()
    assert inbox(crowd.colleague) == [] and inbox(crowd.other) == []


def test_acknowledgement_says_what_to_expect_not_the_priority_code(app):
    seed_standard()
    requester = gen_user()
    gen_incident(requester, impact="low", urgency="low")  # P5 planning
    (ack,) = inbox(requester)
    for part in (text(ack), html(ack)):
        assert "within 1 business day" in part and "within 10 business days" in part
        assert "P5" not in part and "Priority" not in part


def test_acknowledgement_without_a_policy_promises_nothing(app):
    requester = gen_user()
    gen_incident(requester)
    (ack,) = inbox(requester)
    for part in (text(ack), html(ack)):
        assert "We aim to" not in part
        assert "An agent will be in touch." in part


def test_no_acknowledgement_when_the_report_asks_for_none(app):
    requester = gen_user()
    gen_incident(requester, acknowledge=False)
    assert inbox(requester) == []


def test_agent_reply_goes_to_requester_and_participants_not_the_author(crowd):
    crowd.incident.participants.append(crowd.agent)
    before = total()
    incidents.add_reply(crowd.incident, crowd.agent, "Please restart the printer.", "agent")
    assert total() == before + 2
    for person in (crowd.requester, crowd.colleague):
        mail = inbox(person)[-1]
        assert "Please restart the printer." in text(mail) and "Ann Agent" in text(mail)
        assert "Please restart the printer." in html(mail)
    assert len(inbox(crowd.agent)) == 1  # only the assignment notice from the fixture


def test_user_reply_goes_to_the_assigned_agent_only(crowd):
    before = len(inbox(crowd.colleague))
    incidents.add_reply(crowd.incident, crowd.colleague, "Error 0x80070005 here too.")
    mail = inbox(crowd.agent)[-1]
    assert "Cole Colleague" in text(mail) and "Error 0x80070005 here too." in text(mail)
    assert f"http://helpdesk.test/agent/incidents/{crowd.incident.reference}" in html(mail)
    assert len(inbox(crowd.colleague)) == before and inbox(crowd.other) == []


def test_user_reply_without_an_assigned_agent_mails_nobody(app):
    requester = gen_user()
    incident = gen_incident(requester)
    before = total()
    incidents.add_reply(incident, requester, "Any news?")
    assert total() == before


def test_resolved_gives_each_person_their_own_one_click_links(crowd):
    incidents.resolve(
        crowd.incident, crowd.agent, "workaround", "Replaced the fuser.", "Use floor 3."
    )
    links = []
    for person in (crowd.requester, crowd.colleague):
        mail = inbox(person)[-1]
        body = text(mail)
        assert "Replaced the fuser." in body and "Workaround: Use floor 3." in body
        assert "within 14 days reopens" in body
        assert "Yes, it is fixed" in html(mail) and "No, it is still broken" in html(mail)
        confirm = f"http://helpdesk.test/m/{crowd.incident.reference}/confirm/"
        reject = f"http://helpdesk.test/m/{crowd.incident.reference}/reject/"
        assert confirm in body and reject in body and confirm in html(mail)
        links.append(body.split(confirm)[1].split()[0])
    assert links[0] != links[1]
    assert len(inbox(crowd.agent)) == 1


def test_confirming_closes_and_tells_the_others_with_a_rating_link_for_the_requester(crowd):
    incidents.resolve(crowd.incident, crowd.agent, "fixed", "Done.")
    incidents.confirm_resolution(crowd.incident, crowd.colleague)
    to_requester = inbox(crowd.requester)[-1]
    assert "is now closed" in text(to_requester)
    rate = f"http://helpdesk.test/m/{crowd.incident.reference}/rate/"
    assert rate in text(to_requester) and f"{rate}" in html(to_requester)
    assert "?rating=5" in html(to_requester)
    assert "is now closed" not in text(inbox(crowd.colleague)[-1])  # the actor: no mail


def test_participants_get_no_rating_link(crowd):
    incidents.resolve(crowd.incident, crowd.agent, "fixed", "Done.")
    incidents.change_status(crowd.incident, crowd.agent, "closed")
    to_colleague = inbox(crowd.colleague)[-1]
    assert "is now closed" in text(to_colleague) and "/rate/" not in text(to_colleague)
    assert "/rate/" in text(inbox(crowd.requester)[-1])


def test_other_status_changes_send_nothing(crowd):
    before = total()
    incidents.change_status(crowd.incident, crowd.agent, "on_hold", "awaiting_vendor")
    assert total() == before


def test_still_broken_tells_the_assigned_agent(crowd):
    incidents.resolve(crowd.incident, crowd.agent, "fixed", "Done.")
    incidents.reject_resolution(crowd.incident, crowd.requester, "The jam is back.")
    assert "The jam is back." in text(inbox(crowd.agent)[-1])


def test_withdrawal_tells_the_assigned_agent_with_the_reason(crowd):
    before = len(inbox(crowd.agent))  # the assignment notice
    incidents.withdraw(crowd.incident, crowd.requester, "It works again after a restart")
    *_, notice = inbox(crowd.agent)
    assert len(inbox(crowd.agent)) == before + 1
    assert "withdrew" in text(notice) and "It works again after a restart" in text(notice)
    assert "It works again after a restart" in html(notice)
    assert inbox(crowd.other) == [] and len(inbox(crowd.requester)) == 1  # only the ack


def test_assignment_to_an_agent_tells_them_unless_they_did_it(crowd):
    (assigned,) = inbox(crowd.agent)
    assert "is now assigned to you (Service Desk)" in text(assigned)
    assert "Printer jam" in html(assigned)
    incidents.assign(crowd.incident, crowd.agent, None, crowd.agent.id)  # unchanged: nothing new
    incidents.assign(crowd.incident, crowd.other, None, crowd.other.id)  # to oneself: nothing
    assert len(inbox(crowd.agent)) == 1 and inbox(crowd.other) == []


def test_assignment_to_a_team_tells_its_agents(app):
    lead, member, former, user = gen_user("agent"), gen_user("agent"), gen_user("agent"), gen_user()
    former.active = False
    network = gen_team("Network", [lead, member, former, user])
    incident = gen_incident()
    incidents.assign(incident, lead, network.id, None)
    (notice,) = inbox(member)
    assert "waiting in the Network queue" in text(notice)
    assert inbox(lead) == [] and inbox(former) == [] and inbox(user) == []
    incidents.assign(incident, lead, network.id, None)  # already waiting there
    assert len(inbox(member)) == 1


def test_taking_an_agent_off_puts_it_back_in_the_team_queue(crowd):
    desk = crowd.agent.teams[0]
    incidents.assign(crowd.incident, crowd.agent, desk.id, None)
    assert "waiting in the Service Desk queue" in text(inbox(crowd.other)[-1])


def test_inactive_people_get_nothing(crowd):
    crowd.colleague.active = False
    before = len(inbox(crowd.colleague))
    incidents.add_reply(crowd.incident, crowd.agent, "Hello.", "agent")
    assert len(inbox(crowd.colleague)) == before
    assert "Hello." in text(inbox(crowd.requester)[-1])


def test_bouncing_addresses_get_nothing_until_the_pause_ends(crowd):
    crowd.requester.bouncing_until = utcnow() + timedelta(days=3)
    incidents.add_reply(crowd.incident, crowd.agent, "Personal reply.", "agent")
    assert len(inbox(crowd.requester)) == 1 and "Personal reply." in text(
        inbox(crowd.colleague)[-1]
    )
    crowd.requester.bouncing_until = utcnow() - timedelta(minutes=1)
    incidents.add_reply(crowd.incident, crowd.agent, "Again.", "agent")
    assert "Again." in text(inbox(crowd.requester)[-1])


def test_automatic_notices_are_capped_per_recipient_per_hour(app):
    reconfigure(app, AUTO_REPLIES_PER_SENDER_PER_HOUR=2)
    requester, agent = gen_user(), gen_user("agent")
    opened = [gen_incident(requester) for _ in range(3)]
    assert len(inbox(requester)) == 2
    incidents.add_reply(opened[2], agent, "A person writing is never capped.", "agent")
    assert len(inbox(requester)) == 3
    db.session.execute(update(OutboundEmail).values(created_at=utcnow() - timedelta(minutes=61)))
    gen_incident(requester)
    assert len(inbox(requester)) == 4


def test_the_cap_counts_notices_queued_but_not_yet_flushed(app):
    reconfigure(app, AUTO_REPLIES_PER_SENDER_PER_HOUR=1)
    requester = gen_user()
    assert not audience.over_hourly_limit(requester.email)
    with db.session.no_autoflush:
        queue_email(requester, "Notice", "password_link", html=False)
        assert audience.over_hourly_limit(requester.email)
    db.session.rollback()


def test_suppressed_block_queues_nothing(app):
    with notify.suppressed():
        gen_incident()
    assert total() == 0
