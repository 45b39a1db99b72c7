"""Articles on the agent's incident page: suggestions, "insert link", linked counts, and an
article written from a resolution."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.incidents import NotAllowed
from helpdesk.kb import incident_links, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Incident, KnowledgeArticle, User
from helpdesk.models.kb import AGENTS, DRAFT, ArticleIncidentLink
from tests.conftest import AuthActions
from tests.factories import gen_incident


@pytest.fixture
def articles(agent: User, admin: User) -> dict[str, KnowledgeArticle]:
    """A public and an internal article about VPN timeouts, and a draft."""

    def make(title: str, audience: str = "public", publish: bool = True) -> KnowledgeArticle:
        made = service.create_article(
            agent,
            ArticleContent(
                title,
                "The VPN client times out: update the VPN client and reconnect.",
                "VPN timeout help.",
                None,
                "vpn",
                audience,
            ),
        )
        if publish:
            service.publish_article(made, agent)
        return made

    return {
        "public": make("VPN client times out"),
        "internal": make("VPN gateway restart", audience=AGENTS),
        "draft": make("VPN draft", publish=False),
    }


@pytest.fixture
def incident(user: User) -> Incident:
    """A user's incident about the VPN timing out."""
    return gen_incident(
        user, subject="VPN times out", description="The VPN client times out every morning."
    )


def sign_in(auth: AuthActions, who: User) -> None:
    """Sign the test client in."""
    assert auth.login(who.email).status_code == 302


def text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def test_the_incident_page_suggests_articles_with_an_insert_link_button(
    client: FlaskClient, auth: AuthActions, agent: User, articles, incident: Incident
) -> None:
    sign_in(auth, agent)
    page = text(client.get(f"/agent/incidents/{incident.reference}"))
    assert "Help articles" in page
    assert 'aria-label="Insert a link to VPN client times out into the reply"' in page
    assert "/kb/vpn-gateway-restart" in page  # internal articles help agents too ...
    assert "Insert a link to VPN gateway restart" not in page  # ... but are never sent
    assert "/kb/vpn-draft" not in page
    assert "Linked to 0 incidents" in page


def test_inserting_a_link_records_it_once_and_counts_it(
    client: FlaskClient, auth: AuthActions, agent: User, articles, incident: Incident
) -> None:
    sign_in(auth, agent)
    url = f"/kb/articles/{articles['public'].id}/incidents/{incident.reference}"
    assert client.post(url).get_json() == {"linked": True, "added": True}
    assert client.post(url).get_json() == {"linked": True, "added": False}
    assert incident_links.incident_counts([articles["public"]]) == {articles["public"].id: 1}
    page = text(client.get(f"/agent/incidents/{incident.reference}"))
    assert "Linked to this incident" in page and "Linked to 1 incident<" in page


def test_users_cannot_link_articles(
    client: FlaskClient, auth: AuthActions, user: User, articles, incident: Incident
) -> None:
    sign_in(auth, user)
    url = f"/kb/articles/{articles['public'].id}/incidents/{incident.reference}"
    assert client.post(url).status_code == 403
    with pytest.raises(NotAllowed):
        incident_links.link_article(articles["public"], incident, user)
    assert db.session.scalars(select(ArticleIncidentLink)).all() == []


def test_linking_needs_a_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, agent: User, articles, incident
) -> None:
    sign_in(auth, agent)
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/kb/articles/{articles['public'].id}/incidents/{incident.reference}"
    assert client.post(url).status_code == 400
    page = text(client.get(f"/agent/incidents/{incident.reference}"))
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    assert client.post(url, data={"csrf_token": token}).get_json()["added"] is True


def test_an_article_from_a_resolution_is_prefilled_and_linked(
    client: FlaskClient, auth: AuthActions, agent: User, incident: Incident
) -> None:
    incidents.resolve(incident, agent, "workaround", "Reinstalled the VPN client.", "Use Wi-Fi")
    sign_in(auth, agent)
    page = text(client.get(f"/agent/incidents/{incident.reference}"))
    assert "Create article from this resolution" in page
    form = text(client.get(f"/kb/manage/from-incident/{incident.reference}"))
    assert "Reinstalled the VPN client." in form and "Use Wi-Fi" in form
    response = client.post(
        f"/kb/manage/from-incident/{incident.reference}",
        data={"title": "VPN times out", "body": "Reinstall the client.", "audience": "public"},
    )
    assert response.status_code == 302
    article = db.session.scalar(select(KnowledgeArticle))
    assert article.status == DRAFT
    assert incident_links.linked_articles(incident) == [article]


def test_open_incidents_offer_no_article_from_resolution(
    client: FlaskClient, auth: AuthActions, agent: User, incident: Incident
) -> None:
    sign_in(auth, agent)
    assert "Create article from this resolution" not in text(
        client.get(f"/agent/incidents/{incident.reference}")
    )
    assert client.get("/kb/manage/from-incident/INC-999999").status_code == 404


def test_the_article_page_tells_agents_how_many_incidents_it_helped(
    client: FlaskClient, auth: AuthActions, agent: User, user: User, articles, incident: Incident
) -> None:
    article = articles["public"]
    incident_links.link_article(article, incident, agent)
    sign_in(auth, agent)
    assert "Linked to 1 incident" in text(client.get(f"/kb/{article.slug}"))
    auth.logout()
    sign_in(auth, user)
    assert "Linked to" not in text(client.get(f"/kb/{article.slug}"))
