"""A test client for tests that act as several people in turn under one app context."""

from __future__ import annotations

from flask import Flask
from werkzeug.test import TestResponse


class Browser:
    """A test client whose every request has an app context of its own: under the fixture's
    context all requests would share one `g`, and with it whoever signed in first."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()

    def open(self, path: str, method: str = "GET", **options: object) -> TestResponse:
        """Send one request."""
        with self.app.app_context():
            return self.client.open(path, method=method, **options)

    def get(self, path: str, **options: object) -> TestResponse:
        """Send a GET."""
        return self.open(path, "GET", **options)

    def post(self, path: str, **options: object) -> TestResponse:
        """Send a POST."""
        return self.open(path, "POST", **options)
