"""One-click links from emails: GET only shows a button, POST acts as the person the signed
token names, and expired, tampered, foreign or outdated links change nothing."""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask, url_for
from itsdangerous import TimestampSigner
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, Message, OutboundEmail, User
from helpdesk.models.audit import INCIDENT
from helpdesk.notify import links
from tests.conftest import make_app
from tests.factories import gen_incident, gen_user

ROUTES = (links.CONFIRM, links.REJECT, links.RATE)


@dataclass
class Case:
    """A resolved incident and the people on it."""

    requester: User
    agent: User
    incident: Incident

    def path(self, action: str, incident: Incident | None = None) -> str:
        """The link path of a fresh token of the requester for this incident."""
        target = incident or self.incident
        token = links.token_for(action, self.incident, self.requester)
        return f"/m/{target.reference}/{action}/{token}"


@pytest.fixture
def case(app: Flask) -> Case:
    """An incident resolved by an agent, waiting for its requester's word."""
    requester, agent = gen_user(name="Rita Requester"), gen_user("agent")
    incident = gen_incident(requester, subject="Printer jam")
    incidents.assign(incident, agent, None, agent.id)
    incidents.resolve(incident, agent, "fixed", "Cleared the paper path.")
    return Case(requester, agent, incident)


def actions(incident: Incident) -> list[str]:
    """The incident's audit trail, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def outbox_size() -> int:
    """How many mails were queued."""
    return db.session.query(OutboundEmail).count()


def test_the_links_in_the_resolved_mail_open_these_pages(client, case):
    raw = db.session.scalars(
        select(OutboundEmail.raw).where(OutboundEmail.recipient == case.requester.email)
    ).all()[-1]
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    for action in (links.CONFIRM, links.REJECT):
        url = re.search(rf"http://helpdesk\.test(/m/\S+/{action}/\S+)", body).group(1)
        page = client.get(url)
        assert page.status_code == 200 and "Printer jam" in page.get_data(as_text=True)


def test_link_urls_match_the_blueprint_routes(app, case):
    with app.test_request_context(base_url="http://helpdesk.test"):
        for action in ROUTES:
            token = links.token_for(action, case.incident, case.requester)
            expected = links.url_for_link(action, case.incident, case.requester)
            built = url_for(
                f"mail_links.{action}",
                reference=case.incident.reference,
                token=token,
                _external=True,
            )
            assert built == expected


def test_get_only_shows_the_button(client, case):
    before = (actions(case.incident), outbox_size())
    for action in ROUTES:
        response = client.get(case.path(action))
        assert response.status_code == 200
        assert "Rita Requester" in response.get_data(as_text=True)
    assert (actions(case.incident), outbox_size()) == before
    assert case.incident.status == "resolved"


def test_confirm_closes_and_offers_a_rating(client, case):
    path = case.path(links.CONFIRM)
    assert "Yes, it is fixed" in client.get(path).get_data(as_text=True)
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert case.incident.status == "closed" and "confirmed" in actions(case.incident)
    page = client.get(path).get_data(as_text=True)
    assert "Thank you for confirming. The incident is closed." in page
    assert "it is now closed" in page and "Rate how we handled it" in page
    assert f"/m/{case.incident.reference}/rate/" in page


def test_reject_is_prefilled_and_reopens(client, case):
    path = case.path(links.REJECT)
    page = client.get(path).get_data(as_text=True)
    assert "Still broken (from the email link)." in page
    response = client.post(path, data={"explanation": "Still broken (from the email link)."})
    assert response.status_code == 302
    assert case.incident.status == "in_progress"
    reply = db.session.scalars(
        select(Message).where(Message.incident_id == case.incident.id).order_by(Message.id.desc())
    ).first()
    assert (reply.author_id, reply.body) == (
        case.requester.id,
        "Still broken (from the email link).",
    )
    assert "open again" in client.get(path).get_data(as_text=True)


def test_reject_without_a_word_is_refused(client, case):
    response = client.post(case.path(links.REJECT), data={"explanation": "  "})
    assert response.status_code == 422
    assert "Please say what is still wrong." in response.get_data(as_text=True)
    assert case.incident.status == "resolved"


def test_rate_preselects_the_clicked_score_and_records_the_rating(client, case):
    path = case.path(links.RATE)
    page = client.get(path + "?rating=4").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="4"|<input[^>]*value="4"[^>]*checked', page)
    response = client.post(path, data={"rating": "5", "comment": "Quick and kind."})
    assert response.status_code == 302
    assert (case.incident.satisfaction_rating, case.incident.satisfaction_comment) == (
        5,
        "Quick and kind.",
    )
    page = client.get(path).get_data(as_text=True)
    assert "Thank you for your feedback." in page and "5 out of 5" in page


def test_rate_needs_a_score(client, case):
    response = client.post(case.path(links.RATE), data={"comment": "no score"})
    assert response.status_code == 422
    assert case.incident.satisfaction_rating is None


@pytest.mark.parametrize("action", ROUTES)
def test_tampered_links_are_refused(client, case, action):
    response = client.post(case.path(action)[:-3] + "abc", data={"rating": "1", "explanation": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link is not valid" in page
    assert "/login?next=" in page
    assert case.incident.status == "resolved" and case.incident.satisfaction_rating is None


@pytest.mark.parametrize("action", ROUTES)
def test_expired_links_are_refused(app, client, case, action, monkeypatch):
    long_ago = int(time.time()) - (app.config["MAIL_LINK_MAX_AGE_DAYS"] + 1) * 86_400
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
        path = case.path(action)
    response = client.post(path, data={"rating": "1", "explanation": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link has expired" in page and "sign in" in page
    assert case.incident.status == "resolved" and case.incident.satisfaction_rating is None


@pytest.mark.parametrize("action", ROUTES)
def test_a_link_for_one_incident_cannot_act_on_another(client, case, action):
    other = gen_incident(case.requester)
    incidents.resolve(other, case.agent, "fixed", "Also done.")
    response = client.post(case.path(action, other), data={"rating": "1", "explanation": "x"})
    assert response.status_code == 400
    assert "does not belong to that incident" in response.get_data(as_text=True)
    assert other.status == "resolved" and other.satisfaction_rating is None
    assert case.incident.status == "resolved" and case.incident.satisfaction_rating is None


def test_a_used_or_outdated_link_explains_where_the_incident_stands(client, case):
    confirm = case.path(links.CONFIRM)
    incidents.reject_resolution(case.incident, case.requester, "Jammed again.")
    page = client.get(confirm).get_data(as_text=True)
    assert "not waiting for your confirmation: it is now in progress" in page
    assert client.post(confirm).status_code == 200 and case.incident.status == "in_progress"
    incidents.resolve(case.incident, case.agent, "fixed", "New rollers.")
    page = client.get(confirm).get_data(as_text=True)
    assert "earlier resolution" in page
    client.post(confirm)
    assert case.incident.status == "resolved"


def test_a_rating_link_waits_while_the_incident_is_open_again(client, case):
    rate = case.path(links.RATE)
    incidents.reject_resolution(case.incident, case.requester, "Jammed again.")
    page = client.get(rate).get_data(as_text=True)
    assert "You can rate" in page and "once it is resolved" in page
    client.post(rate, data={"rating": "1"})
    assert case.incident.satisfaction_rating is None


@pytest.fixture
def csrf_app(tmp_path: Path) -> Iterator[Flask]:
    """An app with CSRF protection on, as in production."""
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()


def test_the_post_needs_the_forms_csrf_token(csrf_app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.resolve(incident, agent, "fixed", "Done.")
    token = links.token_for(links.CONFIRM, incident, requester)
    path = f"/m/{incident.reference}/confirm/{token}"
    client = csrf_app.test_client()
    assert client.post(path).status_code == 400
    assert incident.status == "resolved"
    page = client.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(path, data={"csrf_token": csrf}).status_code == 302
    assert incident.status == "closed"
