"""The outbox records what a mail must say, and the drain renders it: intake renders
nothing, and a mail that cannot be rendered fails alone, with the reason, never the
incident that caused it; Retry renders it again after the fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.kb import helped_links, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Incident, KnowledgeArticle, OutboundEmail, User
from helpdesk.models.outbox import FAILED, PENDING, SENT
from helpdesk.notify.delivery import RENDER_FAILED
from mail_gateway import outbox
from tests.conftest import AuthActions, make_app
from tests.factories import gen_incident, gen_user
from tests.mail.smtp_sink import SmtpSink


@pytest.fixture
def smtp_app(tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    """An app whose outbox waits for the SMTP drain (nothing is rendered before it)."""
    app = make_app(tmp_path / "instance", **smtp_sink.settings())
    with app.app_context():
        yield app
        db.session.remove()


def rows() -> list[OutboundEmail]:
    """Every outbox row, oldest first, as the database has them now."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))


def emailed(requester: User) -> Incident:
    """An incident reported by email, whose acknowledgement offers help articles."""
    return gen_incident(
        requester,
        subject="Outlook does not sync",
        description="My Outlook stopped syncing mail this morning.",
        channel="email",
    )


def test_intake_records_the_intent_and_the_drain_renders_it(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    incident = gen_incident(gen_user(email="ben@example.org"), subject="VPN drops every hour")
    [row] = rows()
    assert (row.kind, row.raw, row.rendered_at, row.state) == (
        "incident_opened",
        None,
        None,
        PENDING,
    )
    assert (
        row.snapshot is not None
        and row.snapshot["subject"] == f"[{incident.reference}] VPN drops every hour"
    )
    assert outbox.drain().sent == 1
    [row] = rows()
    assert row.state == SENT and row.raw is not None and row.rendered_at is not None
    [delivery] = smtp_sink.deliveries
    assert delivery.data.replace(b"\r\n", b"\n") == row.raw.replace(b"\r\n", b"\n")
    assert delivery.parsed()["Message-ID"] == row.message_id  # decided when it was queued


def test_the_subject_is_the_one_of_the_moment_it_was_queued(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    incident = gen_incident(gen_user(), subject="VPN drops every hour")
    db.session.execute(update(Incident).values(subject="Renamed later"))
    db.session.commit()
    outbox.drain()
    [delivery] = smtp_sink.deliveries
    assert delivery.parsed()["Subject"] == f"[{incident.reference}] VPN drops every hour"


def test_a_ranking_bug_fails_the_mail_not_the_incident_and_retry_sends_it(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> list[object]:
        raise RuntimeError("index is corrupt")

    monkeypatch.setattr(helped_links, "offers", broken)
    incident = emailed(gen_user(email="ana@example.org"))
    assert db.session.get(Incident, incident.id) is not None  # the incident is kept
    [row] = rows()
    assert row.state == FAILED and row.raw is None
    reason = f"{RENDER_FAILED}: RuntimeError: index is corrupt"
    assert row.last_error == reason
    auth.login(gen_user("admin").email)
    assert reason in client.get("/agent/mail/health").get_data(as_text=True)
    monkeypatch.undo()  # the fix
    # The embedded file transport writes it right after the Retry commits.
    client.post(f"/agent/mail/outbox/{row.id}/retry")
    [row] = rows()
    assert row.state == SENT and row.raw is not None
    assert (Path(app.config["OUTBOX_DIR"]) / f"{row.id:08d}.eml").read_bytes() == row.raw


def test_a_template_bug_fails_that_mail_alone_in_an_smtp_drain(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    gen_incident(gen_user(email="ana@example.org"))
    gen_incident(gen_user(email="ben@example.org"))
    first = rows()[0]
    first.kind = "no_such_template"
    db.session.commit()
    result = outbox.drain()
    assert (result.sent, result.failed) == (1, 1)
    assert [delivery.rcpt_tos for delivery in smtp_sink.deliveries] == [("ben@example.org",)]
    failed, sent = rows()
    assert failed.state == FAILED and RENDER_FAILED in (failed.last_error or "")
    assert sent.state == SENT


def test_offered_articles_are_those_readable_when_the_mail_is_rendered(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    agent = gen_user("agent")
    content = ArticleContent(
        "Outlook sync fix",
        "Outlook does not sync mail: restart Outlook and rebuild the profile.",
        "Outlook sync help.",
        None,
        "outlook",
        "public",
    )
    article = service.publish_article(service.create_article(agent, content), agent)
    emailed(gen_user(email="ana@example.org"))
    outbox.drain()
    emailed(gen_user(email="ben@example.org"))  # queued while the article is public
    db.session.execute(
        update(KnowledgeArticle).where(KnowledgeArticle.id == article.id).values(status="archived")
    )
    db.session.commit()
    outbox.drain()
    before, after = (delivery.parsed().get_body(("plain",)) for delivery in smtp_sink.deliveries)
    assert "Outlook sync fix" in before.get_content()
    assert "Outlook sync fix" not in after.get_content()
