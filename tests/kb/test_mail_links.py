"""Deflection by email: the acknowledgement of an emailed incident offers public articles,
each with a signed "this fixed it" link that records the answer and can close the incident."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from helpdesk import incidents, lifecycle
from helpdesk.extensions import db
from helpdesk.kb import deflection, helped_links, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import AuditEvent, Incident, KnowledgeArticle, OutboundEmail, User, utcnow
from helpdesk.models.audit import INCIDENT
from helpdesk.models.kb import AGENTS, EMAIL, FILED, SOLVED, SuggestionOutcome
from tests.factories import gen_incident, gen_user


@pytest.fixture
def articles(agent: User) -> dict[str, KnowledgeArticle]:
    """Four public articles and an internal one, all about Outlook not syncing."""

    def make(title: str, audience: str = "public") -> KnowledgeArticle:
        made = service.create_article(
            agent,
            ArticleContent(
                title,
                "Outlook does not sync mail: restart Outlook and rebuild the profile.",
                "Outlook sync help.",
                None,
                "outlook",
                audience,
            ),
        )
        return service.publish_article(made, agent)

    found = {f"public{n}": make(f"Outlook sync fix {n}") for n in range(4)}
    found["internal"] = make("Outlook server internals", audience=AGENTS)
    return found


def emailed(requester: User) -> Incident:
    """An incident reported by email about Outlook not syncing."""
    return gen_incident(
        requester,
        subject="Outlook does not sync",
        description="My Outlook stopped syncing mail this morning.",
        channel="email",
    )


def acknowledgement(person: User) -> tuple[str, str]:
    """The text and HTML parts of the first mail queued for a person."""
    raw = db.session.scalar(
        select(OutboundEmail.raw).where(OutboundEmail.recipient == person.email)
    )
    mail = message_from_bytes(raw, policy=policy.default)
    parts = (mail.get_body((kind,)).get_content() for kind in ("plain", "html"))
    return tuple(part.replace("\r\n", "\n") for part in parts)


def helped_path(incident: Incident, user: User, article: KnowledgeArticle) -> str:
    """The link's path (the mail's links start with BASE_URL)."""
    return helped_links.url_for_article(incident, user, article).removeprefix(
        "http://helpdesk.test"
    )


def test_the_acknowledgement_offers_three_public_articles_with_links(user: User, articles) -> None:
    incident = emailed(user)
    plain, html = acknowledgement(user)
    links = re.findall(rf"http://helpdesk.test/kb/helped/{incident.reference}/\S+", plain)
    assert len(links) == 3
    assert plain.count("Outlook sync fix") == 3 and "internals" not in plain
    assert html.count("/kb/helped/") == 3 and "internals" not in html


def test_articles_withdrawn_since_they_were_indexed_are_never_offered(user: User, articles) -> None:
    withdrawn = [articles[f"public{n}"].id for n in range(3)]
    # Behind the service's back, so the search index still lists them as published.
    db.session.execute(
        update(KnowledgeArticle).where(KnowledgeArticle.id.in_(withdrawn)).values(status="archived")
    )
    db.session.commit()
    emailed(user)
    plain, _html = acknowledgement(user)
    assert plain.count("Outlook sync fix") == 1 and "Outlook sync fix 3" in plain


def test_portal_incidents_get_no_articles_by_email(user: User, articles) -> None:
    gen_incident(user, subject="Outlook does not sync")
    plain, _ = acknowledgement(user)
    assert "/kb/helped/" not in plain


def test_this_fixed_it_closes_the_incident_and_records_a_deflection(
    client: FlaskClient, user: User, articles
) -> None:
    incident = emailed(user)
    article = articles["public0"]
    path = helped_path(incident, user, article)
    page = client.get(path).get_data(as_text=True)
    assert "This fixed it: close my incident" in page
    assert incident.status == lifecycle.NEW  # a GET (a mail scanner) changes nothing
    response = client.post(path, data={"answer": "fixed"})
    assert response.status_code == 302
    db.session.refresh(incident)
    assert incident.status == lifecycle.CLOSED
    assert incident.resolution_code == "self_service"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    ).all()
    assert "self_resolved" in actions
    [outcome] = db.session.scalars(select(SuggestionOutcome)).all()
    assert (outcome.outcome, outcome.channel, outcome.article_id) == (SOLVED, EMAIL, article.id)
    assert "Your incident is closed" in client.get(path).get_data(as_text=True)


def test_it_did_not_help_keeps_the_incident_open(client: FlaskClient, user: User, articles) -> None:
    incident = emailed(user)
    path = helped_path(incident, user, articles["public1"])
    assert client.post(path, data={"answer": "not_helped"}).status_code == 302
    db.session.refresh(incident)
    assert incident.status == lifecycle.NEW
    [outcome] = db.session.scalars(select(SuggestionOutcome)).all()
    assert (outcome.outcome, outcome.incident_id) == (FILED, incident.id)
    assert deflection.deflection_rate(utcnow() - timedelta(days=30)).filed == 1


def test_a_link_cannot_act_on_another_incident(client: FlaskClient, user: User, articles) -> None:
    mine, other = emailed(user), emailed(gen_user())
    token = helped_path(mine, user, articles["public0"]).rsplit("/", 1)[1]
    response = client.post(f"/kb/helped/{other.reference}/{token}", data={"answer": "fixed"})
    assert response.status_code == 400
    assert "does not belong to that incident" in response.get_data(as_text=True)
    assert client.post(f"/kb/helped/{mine.reference}/{token}x").status_code == 400
    db.session.refresh(other)
    assert other.status == lifecycle.NEW


def test_the_link_needs_a_csrf_token(app: Flask, client: FlaskClient, user: User, articles) -> None:
    incident = emailed(user)
    app.config["WTF_CSRF_ENABLED"] = True
    path = helped_path(incident, user, articles["public0"])
    client.post(path, data={"answer": "fixed"})
    db.session.refresh(incident)
    assert incident.status == lifecycle.NEW


def test_a_closed_incident_offers_no_button(
    client: FlaskClient, user: User, agent: User, articles
) -> None:
    incident = emailed(user)
    incidents.cancel(incident, agent, "Raised in error.")
    page = client.get(helped_path(incident, user, articles["public0"])).get_data(as_text=True)
    assert "close my incident" not in page and "This incident is cancelled" in page
