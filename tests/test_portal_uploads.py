"""Attachment limits in the portal: the limit is stated, and a too-large file loses nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Incident, Message, User
from tests.conftest import AuthActions, make_app
from tests.factories import gen_category, gen_incident, gen_user

TOO_LARGE = b"x" * (1024 * 1024 + 1)


@pytest.fixture
def small_app(tmp_path: Path) -> Iterator[Flask]:
    """An app that accepts attachments of at most 1 MB, two per message."""
    app = make_app(tmp_path / "instance", MAX_UPLOAD_MB=1, MAX_ATTACHMENTS_PER_MESSAGE=2)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def uploader(small_app: Flask) -> User:
    """An end user of the small-limit app."""
    return gen_user(name="Uma Uploader")


@pytest.fixture
def small_client(small_app: Flask, uploader: User) -> FlaskClient:
    """A client of the small-limit app, signed in as the uploader."""
    client = small_app.test_client()
    AuthActions(client).login(uploader.email)
    return client


def count(model: type) -> int:
    """How many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_forms_state_the_limit(small_client):
    page = small_client.get("/my/incidents/new").get_data(as_text=True)
    assert "Up to 2 files, at most 1 MB each." in page
    assert 'data-max-bytes="1048576"' in page


def test_too_large_attachment_on_a_report_keeps_the_input(small_client):
    category = gen_category()
    response = small_client.post(
        "/my/incidents/new",
        data={
            "subject": "Scanner makes huge files",
            "description": "See the attached scan.",
            "category": str(category.id),
            "urgency": "low",
            "attachments": (io.BytesIO(TOO_LARGE), "scan.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "scan.pdf is larger than 1 MB." in page
    assert 'value="Scanner makes huge files"' in page and "See the attached scan." in page
    assert count(Incident) == 0


def test_too_many_attachments_on_a_report_are_refused(small_client):
    files = [(io.BytesIO(b"a"), f"part{n}.txt") for n in range(3)]
    response = small_client.post(
        "/my/incidents/new",
        data={
            "subject": "Three files",
            "description": "Three parts.",
            "category": str(gen_category().id),
            "attachments": files,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Too many attachments (at most 2)." in response.text
    assert count(Incident) == 0


def test_too_large_attachment_on_a_reply_keeps_the_text(small_client, uploader):
    incident = gen_incident(uploader)
    incident_url = f"/my/incidents/{incident.reference}"
    before = count(Message)

    response = small_client.post(
        f"{incident_url}/reply",
        data={
            "body": "The full dump is attached.",
            "attachments": (io.BytesIO(TOO_LARGE), "dump.bin"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "dump.bin is larger than 1 MB." in response.text
    assert "The full dump is attached.</textarea>" in response.text
    assert count(Message) == before
