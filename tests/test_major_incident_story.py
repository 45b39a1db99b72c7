"""The whole major-incident story over the real parts (issue 13): twenty people report a VPN
outage, ten by mail (Dovecot, the gateway) and ten in the portal; an agent declares a major
incident in the console and attaches them; others say "I'm affected too" on the status
page; two public updates reach every subscriber exactly once (SMTP sink); resolving the
major incident resolves every child; its review's timeline holds every step in order. Then
a known error with a workaround is linked to three incidents and sent to one requester,
and a word written only in an internal note is found by the search box."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpdesk import incidents, problems
from helpdesk.extensions import db
from helpdesk.models import (
    Incident,
    MajorIncident,
    MajorIncidentSubscription,
    PostIncidentReview,
    User,
)
from helpdesk.reads import queues
from helpdesk.reads.review_timeline import timeline
from mail_gateway import outbox, runner
from tests.browsing import Browser
from tests.factories import PASSWORD, gen_service, gen_team, gen_user
from tests.mail.dovecot import DovecotServer
from tests.mail.helpers import app_for
from tests.mail.messages import load
from tests.mail.smtp_sink import SmtpSink

BY_MAIL, BY_PORTAL, BYSTANDERS = 10, 10, 3


@pytest.fixture
def mail_app(tmp_path: Path, dovecot: DovecotServer, smtp_sink: SmtpSink) -> Iterator[Flask]:
    """An app that reads the private Dovecot and sends through the SMTP sink."""
    yield from app_for(tmp_path / "instance", dovecot, **smtp_sink.settings())


def report_mail(number: int) -> bytes:
    """Person `number`'s mail about the VPN."""
    mail = EmailMessage()
    mail["From"] = f"Remote Worker {number} <remote{number}@example.org>"
    mail["To"] = "support@helpdesk.localhost"
    mail["Subject"] = f"VPN not connecting ({number})"
    mail["Message-ID"] = f"<vpn-{number}@example.org>"
    mail.set_content("Since nine the VPN client says the gateway cannot be reached.")
    return mail.as_bytes()


def signed_in(app: Flask, person: User) -> Browser:
    """A browser signed in as `person` (each with its own `g`, see tests.browsing)."""
    browser = Browser(app)
    response = browser.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def updates_received(sink: SmtpSink, title: str) -> Counter[tuple[str, str]]:
    """(recipient, phase) of every public-update mail the sink received."""
    received: Counter[tuple[str, str]] = Counter()
    for delivery in sink.deliveries:
        subject = str(delivery.parsed()["Subject"])
        if title in subject:
            for rcpt in delivery.rcpt_tos:
                received[(rcpt, subject.rsplit(": ", 1)[-1])] += 1
    return received


def test_a_vpn_outage_from_reports_to_review(
    mail_app: Flask, dovecot: DovecotServer, smtp_sink: SmtpSink
) -> None:
    agent = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [agent], service_desk=True)
    vpn = gen_service("VPN")
    with dovecot.client() as client:
        load(client, [report_mail(n) for n in range(BY_MAIL)])
    assert runner.poll_once()[0].new_incidents == BY_MAIL
    portal_users = [gen_user(email=f"office{n}@example.org") for n in range(BY_PORTAL)]
    for person in portal_users:
        filed = signed_in(mail_app, person).post(
            "/my/incidents/new",
            data={"subject": "VPN down", "description": "No VPN.", "service": vpn.id},
        )
        assert filed.status_code == 302
    reports = list(db.session.scalars(select(Incident).order_by(Incident.id)))
    assert len(reports) == BY_MAIL + BY_PORTAL

    console = signed_in(mail_app, agent)
    first = reports[0]
    declared = console.post(
        f"/agent/incidents/{first.reference}/major",
        data={
            "declare-public_title": "VPN outage",
            "declare-public_summary": "Remote access is down; we are on it.",
            "declare-services": [vpn.id],
        },
    )
    assert declared.status_code == 302, declared.get_data(as_text=True)[-3000:]
    major = db.session.scalars(select(MajorIncident)).one()
    for child in reports[1:]:
        attached = console.post(
            f"/agent/incidents/{first.reference}/major/children",
            data={"attach-reference": child.reference},
        )
        assert attached.status_code == 302
    bystanders = [gen_user(email=f"home{n}@example.org") for n in range(BYSTANDERS)]
    for person in bystanders:
        browser = signed_in(mail_app, person)
        for _ in range(2):  # a second click changes nothing
            assert browser.post(f"/status/{first.reference}/subscribe").status_code == 302
    subscribers = {
        s.user.email
        for s in db.session.scalars(
            select(MajorIncidentSubscription).where(
                MajorIncidentSubscription.major_incident_id == major.id
            )
        )
    }
    expected = {r.requester.email for r in reports} | {p.email for p in bystanders}
    assert subscribers == expected and len(expected) == 23

    for phase, text in (("identified", "A failed certificate."), ("monitoring", "Fixed.")):
        posted = console.post(
            f"/agent/incidents/{first.reference}/major/updates",
            data={"update-phase": phase, "update-body": text},
        )
        assert posted.status_code == 302
    outbox.drain()
    received = updates_received(smtp_sink, "VPN outage")
    for phase in ("Identified", "Monitoring"):
        per_person = {
            rcpt: n for (rcpt, got), n in received.items() if got.lower() == phase.lower()
        }
        assert per_person == {email: 1 for email in expected}, phase

    resolved = console.post(
        f"/agent/incidents/{first.reference}/major/resolve",
        data={
            "major-resolve-notes": "Renewed the gateway certificate.",
            "major-resolve-public_message": "The VPN works again.",
        },
    )
    assert resolved.status_code == 302
    db.session.expire_all()
    assert {r.status for r in reports} == {"resolved"}

    review = db.session.scalars(
        select(PostIncidentReview).where(PostIncidentReview.incident_id == first.id)
    ).one()
    texts = [entry.text for entry in timeline(review.incident)]
    steps = [
        "Opened",
        "Major declared",
        f"Child attached (reference {reports[1].reference})",
        f"Child attached (reference {reports[-1].reference})",
        "Public update (identified): A failed certificate.",
        "Public update (monitoring): Fixed.",
        "Resolved",
        f"{reports[1].reference}: Resolved",
        f"{reports[-1].reference}: Resolved",
        "Public update (resolved): The VPN works again.",
        "Major resolved",
    ]
    positions = [next(i for i, t in enumerate(texts) if t.startswith(step)) for step in steps]
    assert positions == sorted(positions), texts

    known = problems.open_problem(
        agent,
        problems.ProblemFields(
            title="VPN client rejects renewed certificates",
            workaround="Restart the VPN client once.",
            service_ids=[vpn.id],
        ),
        reports[:3],
    )
    problems.send_workaround(reports[1], agent)
    db.session.expire_all()
    assert [r.problem_id for r in reports[:3]] == [known.id] * 3
    page = console.get(f"/agent/incidents/{reports[2].reference}").get_data(as_text=True)
    assert "Restart the VPN client once." in page
    outbox.drain()
    with_workaround = [
        d.rcpt_tos
        for d in smtp_sink.deliveries
        if "Restart the VPN client once." in d.parsed().get_body(("plain",)).get_content()
    ]
    assert with_workaround == [(reports[1].requester.email,)]

    incidents.add_note(reports[4], agent, "Traced to the zyxelgate appliance.")
    listing = queues.Listing("resolved", agent, queues.Filters(q="zyxelgate"), size=50)
    assert [i.id for i in queues.load_page(listing).incidents] == [reports[4].id]
