"""Admin pages for categories and services: create, rename, retire and reactivate."""

import pytest

from helpdesk.extensions import db
from helpdesk.models import Category, Service
from tests.factories import gen_category, gen_service, gen_user

MODELS = {"categories": Category, "services": Service}


@pytest.fixture
def admin(app, auth):
    """A signed-in admin."""
    person = gen_user("admin")
    auth.login(person.email)
    return person


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_create_rename_retire_reactivate(client, admin, kind):
    model = MODELS[kind]
    assert "here yet" in client.get(f"/admin/catalogues/{kind}").get_data(as_text=True)
    assert (
        client.post(f"/admin/catalogues/{kind}", data={"new-name": "Printers"}).status_code == 302
    )
    entry = db.session.query(model).one()
    response = client.post(
        f"/admin/catalogues/{kind}/{entry.id}", data={f"e{entry.id}-name": "Printing"}
    )
    assert response.status_code == 302
    client.post(f"/admin/catalogues/{kind}/{entry.id}/active", data={"active": "0"})
    db.session.refresh(entry)
    assert (entry.name, entry.active) == ("Printing", False)
    html = client.get(f"/admin/catalogues/{kind}").get_data(as_text=True)
    assert "Retired" in html and "Reactivate" in html
    client.post(f"/admin/catalogues/{kind}/{entry.id}/active", data={"active": "1"})
    db.session.refresh(entry)
    assert entry.active


def test_duplicate_names_are_refused_with_the_input_kept(client, admin):
    gen_category("Email")
    response = client.post("/admin/catalogues/categories", data={"new-name": "email"})
    assert response.status_code == 422
    assert "There is already a category called Email." in response.get_data(as_text=True)
    assert db.session.query(Category).count() == 1


def test_rename_to_blank_is_refused(client, admin):
    vpn = gen_service("VPN")
    response = client.post(f"/admin/catalogues/services/{vpn.id}", data={f"e{vpn.id}-name": " "})
    assert response.status_code == 422
    assert "The service needs a name." in response.get_data(as_text=True)
    db.session.refresh(vpn)
    assert vpn.name == "VPN"


def test_unknown_catalogue_and_entry(client, admin):
    assert client.get("/admin/catalogues/printers").status_code == 404
    response = client.post("/admin/catalogues/services/999/active", data={"active": "0"})
    assert response.status_code == 302
    assert "Unknown service." in client.get(response.headers["Location"]).get_data(as_text=True)
