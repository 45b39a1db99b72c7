"""The people copied on an incident and its files, through the API: as the console lets
agents change who is copied, and as the web lets whoever may reply add files and whoever
may see a message download its files (always as a download)."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from helpdesk import accounts, incidents
from helpdesk.incidents import NewAttachment
from helpdesk.models import Incident
from tests.api.conftest import Caller
from tests.api.test_incident_actions import act, mail_to, read, refused, trail
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_user

MB = 1024 * 1024


def people_url(incident: Incident, email: str = "") -> str:
    """The participants of an incident, or one of them."""
    return f"/api/v1/incidents/{incident.reference}/participants" + (f"/{email}" if email else "")


def upload(
    api: FlaskClient, who: Caller, incident: Incident, *files: tuple[str, bytes], **fields: Any
) -> Any:
    """POST files (name, bytes) as multipart/form-data, with other form fields."""
    data: dict[str, Any] = {"files": [(io.BytesIO(data), name) for name, data in files], **fields}
    url = f"/api/v1/incidents/{incident.reference}/attachments"
    return api.post(url, headers=who.headers, data=data, content_type="multipart/form-data")


# --- People ------------------------------------------------------------------------------


def test_an_agent_copies_someone_new_and_they_get_the_next_reply(api, requester, agent):
    incident = gen_incident(requester.user)
    added = api.post(
        people_url(incident), headers=agent.headers, json={"email": "Boss@Example.org"}
    )
    assert added.status_code == 201
    assert added.json["email"] == "boss@example.org"
    assert accounts.find_by_email("boss@example.org") is not None
    listed = api.get(people_url(incident), headers=agent.headers).json["items"]
    assert [person["email"] for person in listed] == ["boss@example.org"]
    assert "participant_added" in trail(incident)
    act(api, agent, incident, "replies", body="Working on it.")
    assert len(mail_to("boss@example.org")) == 1


def test_copying_someone_sent_again_with_its_key_gets_the_first_answer(api, requester, agent):
    incident = gen_incident(requester.user)
    headers = {**agent.headers, "Idempotency-Key": "copy-boss"}
    body = {"email": "boss@example.org"}
    first = api.post(people_url(incident), headers=headers, json=body)
    again = api.post(people_url(incident), headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert trail(incident).count("participant_added") == 1


def test_copying_is_refused_with_the_reason(api, requester, agent):
    incident = gen_incident(requester.user)
    url = people_url(incident)
    refused(
        api.post(url, headers=agent.headers, json={"email": requester.user.email}),
        422,
        "invalid_input",
        "is the requester",
    )
    refused(
        api.post(url, headers=agent.headers, json={"email": "not an address"}),
        422,
        "invalid_input",
        "",
    )
    by_user = api.post(url, headers=requester.headers, json={"email": "friend@example.org"})
    refused(by_user, 403, "not_allowed", "Only agents")
    assert accounts.find_by_email("friend@example.org") is None


def test_the_people_panel_is_for_agents(api, requester, agent):
    incident = gen_incident(requester.user)
    refused(api.get(people_url(incident), headers=requester.headers), 403, "not_allowed", "agents")
    other = gen_incident(gen_user("user"))
    refused(api.get(people_url(other), headers=requester.headers), 404, "not_found", "")


def test_an_agent_stops_copying_someone(api, requester, agent):
    incident = gen_incident(requester.user)
    friend = gen_user("user", email="friend@example.org")
    incidents.add_participant(incident, agent.user, friend)
    refused(
        api.delete(people_url(incident, friend.email), headers=requester.headers),
        403,
        "not_allowed",
        "Only agents",
    )
    gone = api.delete(people_url(incident, "Friend@example.org"), headers=agent.headers)
    assert gone.status_code == 204
    assert api.get(people_url(incident), headers=agent.headers).json["items"] == []
    assert "participant_removed" in trail(incident)
    again = api.delete(people_url(incident, friend.email), headers=agent.headers)
    refused(again, 404, "not_found", "not copied")


def test_a_participant_sees_the_incident_they_are_copied_on(api, requester, agent):
    incident = gen_incident(gen_user("user"), subject="Shared drive is full")
    api.post(people_url(incident), headers=agent.headers, json={"email": requester.user.email})
    assert read(api, requester, incident)["subject"] == "Shared drive is full"


# --- Files -------------------------------------------------------------------------------


def test_files_go_up_as_a_reply_and_come_down_as_the_same_bytes(api, requester, agent):
    incident = gen_incident(requester.user)
    picture = bytes(range(256)) * 40
    sent = upload(api, requester, incident, ("screen.png", picture), ("log.txt", b"E13\n"))
    assert sent.status_code == 201
    assert sent.json["kind"] == "reply" and sent.json["body"] == "Attached: screen.png, log.txt."
    files = {file["filename"]: file for file in sent.json["attachments"]}
    assert files["screen.png"]["size"] == len(picture)
    assert files["screen.png"]["content_type"] == "image/png"
    seen = read(api, agent, incident)["messages"][-1]["attachments"]
    assert [file["filename"] for file in seen] == ["screen.png", "log.txt"]
    down = api.get(files["screen.png"]["url"], headers=agent.headers)
    assert down.status_code == 200 and down.data == picture
    assert down.headers["Content-Disposition"].startswith("attachment;")
    assert "screen.png" in down.headers["Content-Disposition"]
    assert down.headers["X-Content-Type-Options"] == "nosniff"
    assert down.mimetype == "application/octet-stream"


def test_an_upload_sent_again_with_its_key_is_one_reply(api, requester):
    """A client that rebuilds the upload for its retry picks a new multipart boundary: the
    same fields and files with the same key are still the same request."""
    incident = gen_incident(requester.user)
    headers = {**requester.headers, "Idempotency-Key": "upload-1"}
    url = f"/api/v1/incidents/{incident.reference}/attachments"
    sent = [
        api.post(
            url,
            headers=headers,
            data=_multipart(boundary, "log.txt", b"E13"),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        for boundary in ("XyZ", "AbC")
    ]
    assert [answer.status_code for answer in sent] == [201, 201]
    assert sent[0].json == sent[1].json and sent[1].headers["Idempotent-Replayed"] == "true"
    assert [m["body"] for m in read(api, requester, incident)["messages"]].count(
        "Attached: log.txt."
    ) == 1
    other_file = api.post(
        url,
        headers=headers,
        data=_multipart("XyZ", "log.txt", b"E14"),
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert other_file.status_code == 422 and other_file.json["code"] == "idempotency_key_reused"


def _multipart(boundary: str, filename: str, content: bytes) -> bytes:
    """A multipart body with one file under `files`, as a client builds it."""
    return (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_a_page_uploaded_is_sent_back_as_a_download_never_shown(api, requester):
    incident = gen_incident(requester.user)
    page = b"<script>alert(1)</script>"
    sent = upload(api, requester, incident, ("page.html", page), body="See the page.")
    assert sent.json["body"] == "See the page."
    down = api.get(sent.json["attachments"][0]["url"], headers=requester.headers)
    assert down.data == page and down.mimetype == "application/octet-stream"
    assert down.headers["Content-Disposition"].startswith("attachment;")


def test_a_file_is_only_for_who_may_see_its_message(api, requester, agent):
    incident = gen_incident(requester.user)
    note = incidents.add_note(
        incident, agent.user, "Config", [NewAttachment("router.cfg", "text/plain", b"secret")]
    )
    url = f"/api/v1/incidents/{incident.reference}/attachments/{note.attachments[0].id}"
    assert api.get(url, headers=agent.headers).data == b"secret"
    refused(api.get(url, headers=requester.headers), 404, "not_found", "")
    stranger = Caller(gen_user("user"), requester.headers)
    other = gen_incident(stranger.user)
    wrong_incident = f"/api/v1/incidents/{other.reference}/attachments/{note.attachments[0].id}"
    refused(api.get(wrong_incident, headers=agent.headers), 404, "not_found", "")


def test_too_large_or_too_many_files_are_refused(app: Flask, api, requester):
    reconfigure(app, MAX_UPLOAD_MB=1, MAX_ATTACHMENTS_PER_MESSAGE=2)
    incident = gen_incident(requester.user)
    big = upload(api, requester, incident, ("dump.bin", b"x" * (MB + 1)))
    refused(big, 422, "invalid_input", "larger than 1 MB")
    many = upload(api, requester, incident, *[(f"{n}.txt", b"n") for n in range(3)])
    refused(many, 422, "invalid_input", "at most 2")
    messages = read(api, requester, incident)["messages"]
    assert [m["body"] for m in messages] == [incident.description]  # nothing was added


def test_an_upload_needs_files_sent_as_a_form(api, requester, agent):
    incident = gen_incident(requester.user)
    url = f"/api/v1/incidents/{incident.reference}/attachments"
    text_only = api.post(url, headers=requester.headers, data={"files": "not a file"})
    assert text_only.status_code == 422 and text_only.json["errors"][0]["location"][0] == "files"
    as_json = api.post(url, headers=requester.headers, json={"files": []})
    refused(as_json, 415, "unsupported_media_type", "multipart/form-data")
    finished = gen_incident(requester.user)
    act(api, agent, finished, "actions/cancel", reason="Duplicate.")
    closed = upload(api, requester, finished, ("late.txt", b"late"))
    refused(closed, 422, "invalid_input", "closed")
