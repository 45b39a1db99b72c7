"""The workbench's People panel: agents copy people on an incident by name or address,
stop copying them and change the requester; refusals keep the typing; forms carry CSRF."""

import re

import pytest
from sqlalchemy import select

from helpdesk import accounts, incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent
from helpdesk.models.audit import INCIDENT
from tests.conftest import make_app
from tests.factories import PASSWORD, gen_incident, gen_user


@pytest.fixture
def incident(client, auth):
    """An incident of Ann's, and a signed-in agent."""
    auth.login(gen_user("agent").email)
    return gen_incident(gen_user(name="Ann Lee", email="ann@example.org"))


def people_on(incident):
    """The requester's address and the participants' addresses, fresh from the database."""
    db.session.expire_all()
    return incident.requester.email, sorted(p.email for p in incident.participants)


def actions(incident):
    """The audit actions recorded on the incident, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


def test_the_panel_lists_people_with_forms(client, incident):
    incidents.add_participant(incident, gen_user("agent"), gen_user(name="Bob Ray"))
    page = client.get(f"/agent/incidents/{incident.reference}").data.decode()
    assert 'id="people-title">People</h2>' in page
    assert f'action="/agent/incidents/{incident.reference}/participants"' in page
    assert f'action="/agent/incidents/{incident.reference}/requester"' in page
    assert 'aria-label="Stop copying Bob Ray"' in page
    assert page.count('data-people-url="/agent/people"') == 2


def test_copying_a_known_person_by_address(client, incident):
    gen_user(name="Bob Ray", email="bob@example.org")
    url = f"/agent/incidents/{incident.reference}/participants"
    response = client.post(
        url, data={"participant-person": "Bob@Example.org"}, follow_redirects=True
    )
    assert "Bob Ray &lt;bob@example.org&gt; is copied on this incident." in response.data.decode()
    assert people_on(incident) == ("ann@example.org", ["bob@example.org"])
    assert actions(incident)[-1] == "participant_added"


def test_copying_an_unknown_address_creates_the_person(client, incident):
    url = f"/agent/incidents/{incident.reference}/participants"
    response = client.post(url, data={"participant-person": "Carol Chu <carol@example.org>"})
    assert response.status_code == 302
    carol = accounts.find_by_email("carol@example.org")
    assert (carol.name, carol.role, carol.has_password) == ("Carol Chu", "user", False)
    assert people_on(incident) == ("ann@example.org", ["carol@example.org"])


def test_copying_by_a_name_that_matches_one_person(client, incident):
    gen_user(name="Bob Ray", email="bob@example.org")
    url = f"/agent/incidents/{incident.reference}/participants"
    assert client.post(url, data={"participant-person": "bob ray"}).status_code == 302
    assert people_on(incident) == ("ann@example.org", ["bob@example.org"])


def test_a_name_that_matches_several_is_refused_naming_them(client, incident):
    gen_user(name="Bob Ray", email="bob.ray@example.org")
    gen_user(name="Bob Stone", email="bob.stone@example.org")
    url = f"/agent/incidents/{incident.reference}/participants"
    response = client.post(url, data={"participant-person": "bob"})
    page = response.data.decode()
    assert response.status_code == 422
    assert "Several people match &#39;bob&#39;" in page
    assert "Bob Stone &lt;bob.stone@example.org&gt;" in page
    assert re.search(r'name="participant-person"[^>]*value="bob"', page)
    assert people_on(incident) == ("ann@example.org", [])


def test_a_refused_copy_creates_no_account(client, incident):
    url = f"/agent/incidents/{incident.reference}/participants"
    incidents.merge(incident, gen_user("agent"), gen_incident())
    response = client.post(url, data={"participant-person": "dan@example.org"})
    assert response.status_code == 422
    assert "merged into" in response.data.decode()
    assert accounts.find_by_email("dan@example.org") is None


def test_copying_the_requester_is_refused(client, incident):
    url = f"/agent/incidents/{incident.reference}/participants"
    response = client.post(url, data={"participant-person": "ann@example.org"})
    assert response.status_code == 422
    assert "is the requester of this incident" in response.data.decode()


def test_removing_a_participant(client, incident):
    bob = gen_user(name="Bob Ray", email="bob@example.org")
    incidents.add_participant(incident, gen_user("agent"), bob)
    url = f"/agent/incidents/{incident.reference}/participants/{bob.id}/delete"
    response = client.post(url, follow_redirects=True)
    assert "Bob Ray &lt;bob@example.org&gt; is no longer copied" in response.data.decode()
    assert people_on(incident) == ("ann@example.org", [])
    assert actions(incident)[-1] == "participant_removed"


def test_removing_someone_unknown_is_404(client, incident):
    url = f"/agent/incidents/{incident.reference}/participants/999999/delete"
    assert client.post(url).status_code == 404


def test_changing_the_requester_keeps_the_old_one_copied(client, incident):
    gen_user(name="Bob Ray", email="bob@example.org")
    url = f"/agent/incidents/{incident.reference}/requester"
    response = client.post(url, data={"requester-person": "bob@example.org"}, follow_redirects=True)
    page = response.data.decode()
    assert "Bob Ray &lt;bob@example.org&gt; is now the requester" in page
    assert "Ann Lee &lt;ann@example.org&gt; stays copied on the incident." in page
    assert people_on(incident) == ("bob@example.org", ["ann@example.org"])
    assert actions(incident)[-1] == "requester_changed"


def test_a_refused_requester_change_keeps_the_typing_open(client, incident):
    url = f"/agent/incidents/{incident.reference}/requester"
    response = client.post(url, data={"requester-person": "nobody by that name"})
    page = response.data.decode()
    assert response.status_code == 422
    assert "No one matches &#39;nobody by that name&#39;" in page
    assert "<details open>" in page and 'value="nobody by that name"' in page
    assert people_on(incident) == ("ann@example.org", [])


def test_end_users_cannot_change_people(client, auth):
    ann = gen_user()
    incident = gen_incident(ann)
    bob = gen_user()
    auth.login(ann.email)
    base = f"/agent/incidents/{incident.reference}"
    assert (
        client.post(f"{base}/participants", data={"participant-person": bob.email}).status_code
        == 403
    )
    assert client.post(f"{base}/requester", data={"requester-person": bob.email}).status_code == 403
    assert people_on(incident) == (ann.email, [])


def test_the_panel_forms_work_with_csrf_on(tmp_path):
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        agent, bob = gen_user("agent"), gen_user(email="bob@example.org")
        incident = gen_incident()
        client = app.test_client()
        login = client.get("/login").data.decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        client.post(
            "/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token}
        )
        base = f"/agent/incidents/{incident.reference}"
        page = client.get(base).data.decode()
        panel = page[page.index('class="card people-panel"') :]
        token = re.search(r'name="csrf_token" value="([^"]+)"', panel).group(1)
        without = client.post(f"{base}/participants", data={"participant-person": bob.email})
        assert without.status_code == 400
        sent = {"participant-person": bob.email, "csrf_token": token}
        assert client.post(f"{base}/participants", data=sent).status_code == 302
        db.session.expire_all()
        assert [p.email for p in incident.participants] == ["bob@example.org"]
