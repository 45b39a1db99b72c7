"""The parts of one incident through the API: the people copied on it (agents, as on the
console's People panel) and its files, up as a reply that carries them and down as a
download.

Files are checked by the service layer as for the portal and the console (how many, how
large) and sent back only to who may see the message carrying them, always as a download
(`Content-Disposition: attachment`, never sniffed), as the web sends them.
"""

from __future__ import annotations

from flask import send_file
from spectree import Response
from werkzeug.wrappers import Response as WerkzeugResponse

from helpdesk import accounts, incidents
from helpdesk.access import can_download
from helpdesk.api.auth import caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.incident_actions import CHANNEL, ON_INCIDENT, WITH_BODY, created
from helpdesk.api.incident_schemas import FilesIn, ParticipantIn, People, PersonOut
from helpdesk.api.incidents import visible
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.schemas import MessageOut, sent
from helpdesk.core.errors import InvalidInput, NotFound
from helpdesk.core.unit import transaction
from helpdesk.core.validation import require_agent, typed_text
from helpdesk.extensions import db
from helpdesk.incidents.attachments import blob_path, display_name, new_attachments
from helpdesk.models import Attachment, User

TAGS = ["incident parts"]
LISTED = Response(HTTP_200=People, **ON_INCIDENT)
ADDED = Response(HTTP_201=PersonOut, **WITH_BODY)
REMOVED = Response("HTTP_204", HTTP_404=Problem, HTTP_422=Problem, **REFUSALS)
# A request larger than the upload limits allow is refused before it is read (413); one
# that is not multipart/form-data is 415.
UPLOADED = Response(HTTP_201=MessageOut, HTTP_413=Problem, **WITH_BODY)
DOWNLOADED = Response("HTTP_200", HTTP_404=Problem, **REFUSALS)


def person_out(person: User) -> PersonOut:
    """A person as the API names them."""
    return PersonOut(email=person.email, name=person.name)


# --- People ------------------------------------------------------------------------------


@bp.get("/incidents/<reference>/participants")
@requires("read")
@spec.validate(resp=LISTED, tags=TAGS)
def participants(reference: str) -> People:
    """The people copied on the incident, by name (agents only, as on the console)."""
    incident = visible(reference)
    require_agent(caller())
    copied = sorted(incident.participants, key=lambda person: (person.name, person.email))
    return People(items=[person_out(person) for person in copied])


@bp.post("/incidents/<reference>/participants")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=ADDED, tags=TAGS)
def participant_add(reference: str, json: ParticipantIn) -> tuple[PersonOut, int]:
    """Copy a person on the incident: they get its public replies by email. An address
    nobody has yet becomes an account, as on the console (agents only)."""
    incident = visible(reference)
    require_agent(caller())
    with transaction():  # a refused change keeps no new account
        person = accounts.ensure_user_for_email(sent(json).email)
        incidents.add_participant(incident, caller(), person)
    return person_out(person), 201


@bp.delete("/incidents/<reference>/participants/<email>")
@requires("write")
@spec.validate(resp=REMOVED, tags=TAGS)
def participant_remove(reference: str, email: str) -> tuple[str, int]:
    """Stop copying a person on the incident (agents only)."""
    incident = visible(reference)
    require_agent(caller())
    person = accounts.find_by_email(email)
    if person is None or not incident.copies(person):
        raise NotFound(f"{email[:80]} is not copied on {incident.reference}.")
    incidents.remove_participant(incident, caller(), person)
    return "", 204


# --- Files -------------------------------------------------------------------------------


@bp.post("/incidents/<reference>/attachments")
@requires("write")
@idempotent
@spec.validate(form=FilesIn, headers=IdempotencyHeaders, resp=UPLOADED, tags=TAGS)
def attachments_add(reference: str, form: FilesIn) -> tuple[MessageOut, int, dict[str, str]]:
    """Add files (multipart/form-data, part name `files`) as a public reply carrying them,
    with `body` as its text (by default the files' names): whoever may reply may (the
    requester's side or an agent). Too many or too large files are refused."""
    incident = visible(reference)
    wanted = sent(form, "multipart/form-data")
    files = new_attachments(wanted.files)
    if not files:
        raise InvalidInput("Send at least one file, with its filename.")
    names = ", ".join(display_name(file.filename) for file in files)
    body = typed_text(wanted.body) or f"Attached: {names}."
    message = incidents.add_reply(incident, caller(), body, channel=CHANNEL, attachments=files)
    return created(message, reference)


@bp.get("/incidents/<reference>/attachments/<int:attachment_id>")
@requires("read")
@spec.validate(resp=DOWNLOADED, tags=TAGS)
def attachment(reference: str, attachment_id: int) -> WerkzeugResponse:
    """Download a file, as a download (never shown inline), for whoever may see the
    message carrying it; anyone else gets the 404 of no such file."""
    incident = visible(reference)
    found = db.session.get(Attachment, attachment_id)
    if (
        found is None
        or found.message.incident_id != incident.id
        or not can_download(caller(), found, incident)
        or not blob_path(found).is_file()
    ):
        raise NotFound(f"No file {attachment_id} on {incident.reference} that you may see.")
    return download(found)


def download(found: Attachment) -> WerkzeugResponse:
    """The file's bytes as a download: never rendered, never sniffed, never cached."""
    response = send_file(
        blob_path(found),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.direct_passthrough = False  # spectree reads the body back
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
