"""Deflection: suggestions while reporting, "this solved my problem", filing anyway, and the
deflection rate admins see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.incidents import NotAllowed
from helpdesk.kb import deflection, service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Incident, KnowledgeArticle, User, utcnow
from helpdesk.models.kb import AGENTS, ARCHIVED, FILED, PUBLISHED, SOLVED, SuggestionOutcome
from tests.conftest import AuthActions
from tests.factories import gen_category, gen_incident


@pytest.fixture
def articles(agent: User, admin: User) -> dict[str, KnowledgeArticle]:
    """Articles about a jammed printer in every state a user must or must not see."""

    def make(title: str, audience: str = "public", status: str = PUBLISHED) -> KnowledgeArticle:
        made = service.create_article(
            agent,
            ArticleContent(
                title,
                f"When the printer jams: {title}.",
                "Printer jam help.",
                None,
                "printer",
                audience,
            ),
        )
        if status != "draft":
            service.set_status(made, admin, status)
        return made

    return {
        "public": make("Printer jam fix"),
        "internal": make("Printer jam escalation", audience=AGENTS),
        "draft": make("Printer jam draft", status="draft"),
        "archived": make("Printer jam archive", status=ARCHIVED),
    }


def sign_in(auth: AuthActions, who: User) -> None:
    """Sign the test client in."""
    assert auth.login(who.email).status_code == 302


def text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def shown(page: str) -> set[int]:
    """The ids of the articles a suggestions fragment offers."""
    return {int(found) for found in re.findall(r'data-article-id="(\d+)"', page)}


def outcomes() -> list[SuggestionOutcome]:
    """Every recorded answer to suggestions."""
    return list(db.session.scalars(select(SuggestionOutcome).order_by(SuggestionOutcome.id)))


def test_users_are_only_suggested_public_published_articles(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    page = text(client.get("/kb/suggest?q=my printer jammed"))
    assert shown(page) == {articles["public"].id}
    assert client.get(f"/kb/suggest/{articles['internal'].id}").status_code == 404
    assert client.get(f"/kb/suggest/{articles['draft'].id}").status_code == 404


def test_suggestions_read_the_description_typed_so_far_line_breaks_and_all(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    page = text(client.get("/kb/suggest?q=Printer%0D%0Amy printer%09jammed"))
    assert shown(page) == {articles["public"].id}
    assert client.get("/kb/suggest?q=printer%00jam").status_code == 400  # never a NUL


def test_agents_are_also_suggested_internal_articles(
    client: FlaskClient, auth: AuthActions, agent: User, articles
) -> None:
    sign_in(auth, agent)
    page = text(client.get("/kb/suggest?q=printer jam"))
    assert shown(page) == {articles["public"].id, articles["internal"].id}


def test_suggestions_need_a_sign_in_and_some_text(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    assert client.get("/kb/suggest?q=printer").status_code == 302
    sign_in(auth, user)
    assert "No matching help articles" in text(client.get("/kb/suggest?q=pr"))


def test_an_article_opens_in_place_with_the_two_answers(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    page = text(client.get(f"/kb/suggest/{articles['public'].id}?shown=1,2"))
    assert "When the printer jams" in page
    assert "This solved my problem" in page and "I still need help" in page
    assert 'value="1,2"' in page


def test_solved_records_a_deflection_and_no_incident(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    public = articles["public"]
    response = client.post(f"/kb/suggest/{public.id}/solved", data={"shown": f"{public.id},x,9"})
    assert response.status_code == 302
    assert "solved it" in text(client.get(response.headers["Location"]))
    [outcome] = outcomes()
    assert (outcome.outcome, outcome.article_id, outcome.user_id) == (SOLVED, public.id, user.id)
    assert outcome.shown == f"{public.id},9"
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 0


def test_a_hidden_article_cannot_be_marked_as_solving(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    assert client.post(f"/kb/suggest/{articles['internal'].id}/solved").status_code == 404
    assert outcomes() == []


def test_solved_needs_a_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    app.config["WTF_CSRF_ENABLED"] = True
    public = articles["public"]
    assert client.post(f"/kb/suggest/{public.id}/solved").status_code == 400
    page = text(client.get(f"/kb/suggest/{public.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post(f"/kb/suggest/{public.id}/solved", data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert [o.outcome for o in outcomes()] == [SOLVED]


def test_filing_anyway_records_the_shown_articles(
    client: FlaskClient, auth: AuthActions, user: User, articles
) -> None:
    sign_in(auth, user)
    category = gen_category("Printing")
    response = client.post(
        "/my/incidents/new",
        data={
            "subject": "Printer jammed",
            "description": "Paper stuck.",
            "category": str(category.id),
            "urgency": "medium",
            "shown_articles": f"{articles['public'].id}",
        },
    )
    assert response.status_code == 302
    incident = db.session.scalar(select(Incident))
    [outcome] = outcomes()
    assert (outcome.outcome, outcome.incident_id, outcome.shown) == (
        FILED,
        incident.id,
        str(articles["public"].id),
    )


def test_filing_without_suggestions_records_nothing(user: User) -> None:
    incident = gen_incident(user)
    assert deflection.record_filed(user, incident, "") is None
    assert outcomes() == []


def test_only_the_requester_records_what_they_saw(user: User, agent: User, articles) -> None:
    incident = gen_incident(user)
    with pytest.raises(NotAllowed):
        deflection.record_filed(agent, incident, "1")


def test_the_deflection_rate_for_admins(
    client: FlaskClient, auth: AuthActions, user: User, admin: User, articles
) -> None:
    public = articles["public"]
    for _ in range(3):
        deflection.record_solved(user, public, str(public.id))
    deflection.record_filed(user, gen_incident(user), str(public.id))
    rate = deflection.deflection_rate(utcnow() - timedelta(days=30))
    assert (rate.solved, rate.filed, rate.rate) == (3, 1, 0.75)
    sign_in(auth, admin)
    page = text(client.get("/kb/insights"))
    assert "Deflection rate: 75%" in page and "Printer jam fix" in page


def test_no_answers_yet_shows_an_empty_state(
    client: FlaskClient, auth: AuthActions, admin: User
) -> None:
    assert deflection.deflection_rate(utcnow() - timedelta(days=7)).rate is None
    sign_in(auth, admin)
    assert "Nobody has answered a suggested article" in text(client.get("/kb/insights"))
