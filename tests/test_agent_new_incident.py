"""The console's "New incident": an agent logs a call for a requester found by name or
address (the picker's search, or the server reading what was typed), or created on the spot."""

import io

import pytest
from sqlalchemy import func, select

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, OutboundEmail, User
from tests.factories import gen_category, gen_user

FORM = {"channel": "phone", "subject": "Cannot print", "description": "Printer shows E13."}


@pytest.fixture
def agent(client, auth):
    """A signed-in agent."""
    agent = gen_user("agent", name="Dana Desk")
    auth.login(agent.email)
    return agent


def incidents_logged() -> list[Incident]:
    """Every incident, oldest first."""
    return list(db.session.scalars(select(Incident).order_by(Incident.id)))


def user_count() -> int:
    """How many accounts exist."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_the_queue_offers_new_incident(client, agent):
    page = client.get("/agent/queues/mine").data.decode()
    assert 'href="/agent/incidents/new"' in page


def test_the_form_has_the_picker_and_the_channels(client, agent):
    page = client.get("/agent/incidents/new").data.decode()
    assert 'data-people-url="/agent/people"' in page
    for channel in ("phone", "walk-in", "chat"):
        assert f'value="{channel}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_logging_for_a_known_address(client, agent):
    caller = gen_user(name="Ann Lee", email="ann@example.org")
    response = client.post("/agent/incidents/new", data=FORM | {"requester": "ANN@example.org"})
    (incident,) = incidents_logged()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agent/incidents/{incident.reference}")
    assert (incident.requester_id, incident.channel) == (caller.id, "phone")
    assert db.session.scalars(select(OutboundEmail.recipient)).all() == ["ann@example.org"]
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.details["logged_for"]) == (agent.id, "Ann Lee <ann@example.org>")
    page = client.get(response.headers["Location"]).data.decode()
    assert "is logged for Ann Lee &lt;ann@example.org&gt;" in page


def test_the_picker_address_with_a_name_is_read_too(client, agent):
    caller = gen_user(name="Ann Lee", email="ann@example.org")
    client.post("/agent/incidents/new", data=FORM | {"requester": "Ann Lee <ann@example.org>"})
    assert [i.requester_id for i in incidents_logged()] == [caller.id]


def test_a_name_that_matches_one_person_is_enough(client, agent):
    caller = gen_user(name="Ann Lee")
    gen_user(name="Bob Ray")
    response = client.post("/agent/incidents/new", data=FORM | {"requester": "ann lee"})
    assert response.status_code == 302
    assert [i.requester_id for i in incidents_logged()] == [caller.id]


def test_a_name_that_matches_several_offers_them_and_keeps_the_typing(client, agent):
    gen_user(name="Ann Lee", email="ann.lee@example.org")
    chosen = gen_user(name="Ann Smith", email="ann.smith@example.org")
    data = FORM | {"requester": "ann", "channel": "walk-in", "subject": "Badge broken"}
    response = client.post("/agent/incidents/new", data=data)
    page = response.data.decode()
    assert response.status_code == 422
    assert "Several people match: choose the requester." in page
    assert 'value="ann.lee@example.org"' in page and 'value="ann.smith@example.org"' in page
    assert 'value="Badge broken"' in page and incidents_logged() == []
    response = client.post("/agent/incidents/new", data=data | {"pick": "ann.smith@example.org"})
    assert response.status_code == 302
    (incident,) = incidents_logged()
    assert (incident.requester_id, incident.channel) == (chosen.id, "walk-in")


def test_an_unknown_address_offers_a_new_requester(client, agent):
    response = client.post("/agent/incidents/new", data=FORM | {"requester": "new@example.org"})
    page = response.data.decode()
    assert response.status_code == 422
    assert "No one has the address new@example.org" in page
    assert '<details class="new-requester" open>' in page
    assert 'name="new_email" type="email" value="new@example.org"' in page
    assert incidents_logged() == [] and accounts.find_by_email("new@example.org") is None


def test_a_name_nobody_has_offers_a_new_requester_with_that_name(client, agent):
    response = client.post("/agent/incidents/new", data=FORM | {"requester": "Zed Quinn"})
    page = response.data.decode()
    assert response.status_code == 422
    assert 'name="new_name" type="text" value="Zed Quinn"' in page


def test_a_new_requester_is_created_and_acknowledged(client, agent):
    data = FORM | {"new_name": "Zed Quinn", "new_email": "zed@example.org", "channel": "chat"}
    response = client.post("/agent/incidents/new", data=data)
    assert response.status_code == 302
    zed = accounts.find_by_email("zed@example.org")
    assert (zed.name, zed.role, zed.has_password) == ("Zed Quinn", "user", False)
    (incident,) = incidents_logged()
    assert (incident.requester_id, incident.channel) == (zed.id, "chat")
    assert db.session.scalars(select(OutboundEmail.recipient)).all() == ["zed@example.org"]


def test_a_refused_report_creates_no_requester(client, agent):
    before = user_count()
    data = FORM | {"subject": "", "new_name": "Zed", "new_email": "zed@example.org"}
    response = client.post("/agent/incidents/new", data=data)
    assert response.status_code == 422
    assert "Subject cannot be empty" in response.data.decode()
    assert user_count() == before and incidents_logged() == []


def test_no_requester_at_all_is_refused(client, agent):
    response = client.post("/agent/incidents/new", data=FORM)
    assert response.status_code == 422
    assert "Choose the requester" in response.data.decode()


def test_classification_and_attachments_are_kept(client, agent):
    category = gen_category("Printing")
    caller = gen_user()
    data = FORM | {
        "requester": caller.email,
        "impact": "high",
        "urgency": "high",
        "category": str(category.id),
        "attachments": [(io.BytesIO(b"E13 at 09:12"), "error.txt")],
    }
    response = client.post("/agent/incidents/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    (incident,) = incidents_logged()
    assert (incident.priority, incident.category_id) == (1, category.id)
    page = client.get(f"/agent/incidents/{incident.reference}").data.decode()
    assert "error.txt" in page


def test_people_search_finds_by_name_or_address(client, agent):
    gen_user(name="Ann Lee", email="ann@example.org")
    gen_user(name="Bob Ray", email="bob@corp.example")
    inactive = gen_user(name="Ann Gone", email="gone@example.org")
    accounts.update_user(inactive.id, inactive.name, "user", False, gen_user("admin"))
    assert client.get("/agent/people?q=ann").json == {
        "people": [{"name": "Ann Lee", "email": "ann@example.org"}]
    }
    assert client.get("/agent/people?q=corp.ex").json["people"][0]["name"] == "Bob Ray"
    assert client.get("/agent/people?q=a").json == {"people": []}


def test_end_users_cannot_search_people(client, auth):
    user = gen_user()
    auth.login(user.email)
    assert client.get("/agent/people?q=user").status_code == 403
    assert client.get("/agent/incidents/new").status_code == 403
