"""Every form-handling route refuses a POST without a CSRF token. The REST API takes no
form and no cookie: a signed-in browser's session does not reach it, so a forged request
from another site has nothing to ride on."""

import re

import pytest

from tests.conftest import make_app
from tests.factories import gen_incident, gen_user

PLACEHOLDERS = {"reference": "INC-000001", "token": "x", "name": "mine", "filename": "f"}


def post_urls(app):
    """One concrete URL for every rule that accepts POST."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and rule.endpoint != "static" and not is_api(rule):
            path = rule.rule
            for argument in rule.arguments:
                value = PLACEHOLDERS.get(argument, "1")
                path = re.sub(rf"<(?:[a-z]+:)?{argument}>", value, path)
            urls.append(path)
    return sorted(set(urls))


def is_api(rule) -> bool:
    """A REST API route: bearer tokens only (helpdesk.api.auth), never the session."""
    return rule.endpoint.startswith("api.")


@pytest.fixture
def csrf_app(tmp_path):
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_post_routes_exist(csrf_app):
    assert "/login" in post_urls(csrf_app)
    assert len(post_urls(csrf_app)) >= 5


def test_every_post_without_token_is_refused(csrf_app):
    admin = gen_user("admin")
    gen_incident(admin)
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(admin.id)
        session["_fresh"] = True
    for url in post_urls(csrf_app):
        response = client.post(url, data={"body": "x"})
        assert response.status_code == 400, url
        assert b"Bad request" in response.data, url


def test_login_form_with_token_works(csrf_app):
    user = gen_user()
    client = csrf_app.test_client()
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 302


def test_the_api_does_not_take_a_signed_in_browsers_session(csrf_app):
    admin = gen_user("admin")
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(admin.id)
        session["_fresh"] = True
    api_rules = [rule.rule for rule in csrf_app.url_map.iter_rules() if is_api(rule)]
    assert "/api/v1/incidents" in api_rules
    response = client.post("/api/v1/incidents", json={"subject": "Forged", "description": "x"})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"
