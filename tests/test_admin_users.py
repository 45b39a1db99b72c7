"""Admin pages for people: list and search, create with a password link, edit, no self-demotion."""

import pytest

from helpdesk import accounts
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, User
from tests.factories import gen_user


@pytest.fixture
def admin(app, auth):
    """A signed-in admin."""
    person = gen_user("admin", name="Ada Admin")
    auth.login(person.email)
    return person


def test_list_shows_role_state_and_last_sign_in(client, admin):
    gen_user("agent", name="Bea Agent")
    never = gen_user("user", name="Cy Newcomer", password=None)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Ada Admin" in html and "Bea Agent" in html and "Cy Newcomer" in html
    assert "just now" in html  # the admin's own sign-in
    assert "Never" in html
    assert "(no password yet)" in html
    assert f'href="/admin/users/{never.id}"' in html


def test_search_and_filters(client, admin):
    gen_user("agent", name="Bea Agent", email="bea@corp.example")
    gen_user("user", name="Bea User")
    html = client.get("/admin/users?q=bea&role=agent").get_data(as_text=True)
    assert "Bea Agent" in html and "Bea User" not in html
    html = client.get("/admin/users?active=no").get_data(as_text=True)
    assert "No people match" in html


def test_create_user_sends_a_password_link(client, admin):
    before = db.session.query(OutboundEmail).count()
    response = client.post(
        "/admin/users/new", data={"email": "Nia@Example.org", "name": "Nia Net", "role": "agent"}
    )
    assert response.status_code == 302
    created = accounts.find_by_email("nia@example.org")
    assert (created.name, created.role, created.has_password) == ("Nia Net", "agent", False)
    mail = db.session.query(OutboundEmail).order_by(OutboundEmail.id.desc()).first()
    assert db.session.query(OutboundEmail).count() == before + 1
    assert mail.recipient == "nia@example.org"
    assert "/password/reset/" in mail.raw.decode()
    assert "has been sent a link" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "message"),
    [("not-an-address", "Enter a valid email address."), ("taken@example.org", "already exists")],
)
def test_create_user_refusals_keep_the_form(client, admin, email, message):
    gen_user(email="taken@example.org")
    response = client.post(
        "/admin/users/new", data={"email": email, "name": "Kept Name", "role": "user"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Kept Name" in html


def test_edit_name_role_and_active(client, admin):
    person = gen_user("user", name="Bea")
    response = client.post(
        f"/admin/users/{person.id}", data={"name": "Bea Agent", "role": "agent"}
    )  # an unticked checkbox sends nothing: deactivate
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.name, person.role, person.active) == ("Bea Agent", "agent", False)
    client.post(
        f"/admin/users/{person.id}", data={"name": "Bea Agent", "role": "agent", "active": "y"}
    )
    db.session.refresh(person)
    assert person.active


@pytest.mark.parametrize("data", [{"role": "agent", "active": "y"}, {"role": "admin"}])
def test_admin_cannot_demote_or_deactivate_themselves(client, admin, data):
    response = client.post(f"/admin/users/{admin.id}", data={"name": "Ada Admin", **data})
    assert response.status_code == 422
    assert "You cannot remove your own admin role or deactivate yourself." in response.get_data(
        as_text=True
    )
    db.session.refresh(admin)
    assert (admin.role, admin.active) == ("admin", True)


def test_admin_can_demote_another_admin(client, admin):
    other = gen_user("admin")
    client.post(
        f"/admin/users/{other.id}", data={"name": other.name, "role": "user", "active": "y"}
    )
    db.session.refresh(other)
    assert other.role == "user"


def test_edit_page_and_resend_link(client, admin):
    person = gen_user("agent", name="Bea Agent")
    html = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Bea Agent" in html and person.email in html
    before = db.session.query(OutboundEmail).count()
    response = client.post(f"/admin/users/{person.id}/password-link")
    assert response.status_code == 302
    assert db.session.query(OutboundEmail).count() == before + 1


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999").status_code == 404
    assert db.session.get(User, 999) is None
