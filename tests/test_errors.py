"""Error pages render in the site layout, and every page carries the security headers."""

import pytest

from tests.conftest import make_app
from tests.factories import gen_user


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Not found" in response.data
    assert b"Go to the start page" in response.data


def test_403_page_for_users_in_the_console(client, auth):
    auth.login(gen_user().email)
    response = client.get("/agent/queues/open")
    assert response.status_code == 403
    assert b"You do not have access to this page." in response.data


def test_500_page_hides_the_error(tmp_path):
    app = make_app(tmp_path / "instance", TESTING=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("database password is hunter2")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"hunter2" not in response.data


@pytest.mark.parametrize("path", ["/login", "/no/such/page"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
