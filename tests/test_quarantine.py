"""The quarantine: the agents' page, the original's download, retry and discard."""

import pytest
from sqlalchemy import func, select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, QuarantinedEmail, ReceivedEmail
from mail_gateway import quarantine
from mail_gateway.ingest import ingest
from tests.factories import gen_user
from tests.test_ingest import eml

PAGE = "/agent/mail/quarantine"


def count(model) -> int:
    """How many rows a model has."""
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def broken_intake(monkeypatch):
    """Make opening incidents fail, as a bug would; undo() removes the cause."""

    def broken(*args, **kwargs):
        raise RuntimeError("the incident service is broken")

    monkeypatch.setattr(incidents, "open_reported", broken)
    return monkeypatch


@pytest.fixture
def held(app, broken_intake) -> QuarantinedEmail:
    """A mail quarantined because of a bug that is fixed again once the fixture returns."""
    raw = eml(subject="VPN down", sender="Ada <ada@example.org>", message_id="<vpn@example.org>")
    assert ingest(raw, "imap://INBOX/7").outcome == "quarantined"
    broken_intake.undo()
    return db.session.scalars(select(QuarantinedEmail)).one()


@pytest.fixture
def agent(auth):
    """Sign in as an agent."""
    user = gen_user("agent")
    auth.login(user.email)
    return user


def test_agents_see_the_quarantine_with_sender_subject_and_error(client, agent, held):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "ada@example.org" in text and "VPN down" in text
    assert "RuntimeError: the incident service is broken" in text
    assert f"/agent/mail/quarantine/{held.id}/retry" in text
    assert 'name="csrf_token"' in text


def test_empty_quarantine_says_so(client, agent):
    assert "No quarantined email" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", PAGE),
        ("get", PAGE + "/{id}/original.eml"),
        ("post", PAGE + "/{id}/retry"),
        ("post", PAGE + "/{id}/discard"),
    ],
)
def test_end_users_get_403_and_change_nothing(client, auth, held, method, path):
    user = gen_user()
    auth.login(user.email)
    response = getattr(client, method)(path.format(id=held.id))
    assert response.status_code == 403
    assert db.session.get(QuarantinedEmail, held.id).state == "pending"


def test_anonymous_visitors_are_sent_to_sign_in(client, held):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_original_downloads_byte_for_byte(client, agent, held):
    response = client.get(f"{PAGE}/{held.id}/original.eml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == quarantine.original_path(held).read_bytes()
    assert b"Subject: VPN down" in response.data


def test_download_of_an_unknown_entry_is_404(client, agent):
    assert client.get(f"{PAGE}/999/original.eml").status_code == 404


def test_retry_after_the_cause_is_removed_processes_the_mail(client, agent, held):
    response = client.post(f"{PAGE}/{held.id}/retry", follow_redirects=True)
    incident = db.session.scalars(select(Incident)).one()
    assert f"It opened {incident.reference}." in response.get_data(as_text=True)
    assert incident.subject == "VPN down"
    assert db.session.get(QuarantinedEmail, held.id).state == "retried"
    received = db.session.scalars(select(ReceivedEmail)).one()
    assert (received.outcome, received.incident_id) == ("new_incident", incident.id)
    assert "No quarantined email" in response.get_data(as_text=True)


def test_retry_that_fails_again_keeps_one_pending_entry_with_the_new_error(
    client, agent, held, monkeypatch
):
    def refused(*args, **kwargs):
        raise incidents.InvalidInput("The category 'VPN' is retired.")

    monkeypatch.setattr(incidents, "open_reported", refused)
    response = client.post(f"{PAGE}/{held.id}/retry", follow_redirects=True)
    assert "It still cannot be processed: The category" in response.get_data(as_text=True)
    entry = db.session.scalars(select(QuarantinedEmail)).one()
    assert (entry.state, entry.error) == ("pending", "The category 'VPN' is retired.")
    assert db.session.scalars(select(ReceivedEmail.outcome)).one() == "quarantined"
    assert count(Incident) == 0


def test_discard_removes_it_from_the_list_and_the_mail_stays_recognised(client, agent, held):
    response = client.post(f"{PAGE}/{held.id}/discard", follow_redirects=True)
    assert "The email was discarded." in response.get_data(as_text=True)
    assert db.session.get(QuarantinedEmail, held.id).state == "discarded"
    assert "No quarantined email" in response.get_data(as_text=True)
    raw = quarantine.original_path(held).read_bytes()
    assert ingest(raw, "imap://INBOX/7").outcome == "duplicate"
    assert count(Incident) == 0


def test_a_discarded_entry_cannot_be_retried(client, agent, held):
    client.post(f"{PAGE}/{held.id}/discard")
    response = client.post(f"{PAGE}/{held.id}/retry", follow_redirects=True)
    assert "This email was already discarded." in response.get_data(as_text=True)
    assert count(Incident) == 0


def test_buttons_need_the_csrf_token(app, client, agent, held):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{PAGE}/{held.id}/discard").status_code == 400
    assert db.session.get(QuarantinedEmail, held.id).state == "pending"


def test_only_agents_may_retry_or_discard_through_the_service(held):
    user = gen_user()
    with pytest.raises(incidents.NotAllowed):
        quarantine.retry(held.id, user)
    with pytest.raises(incidents.NotAllowed):
        quarantine.discard(held.id, user)


def test_unknown_entries_are_not_found(app):
    with pytest.raises(incidents.NotFound):
        quarantine.discard(12345, gen_user("agent"))
