"""Turning a queued notification (intents.py) into an RFC 5322 message, when it is drained.

Every mail has a text and (for incident mail) an HTML part, the reference token in the
subject, and a Message-ID; incident mail is signed and threaded (threads.py). Display
names and subjects are folded onto one line first, so a CR/LF typed into a name or a
subject can never start a header of its own.

Header values are formatted here (quoted or RFC 2047-encoded names, encoded subjects,
validated message ids) and handed to the message with `set_raw`, which the stdlib emits
as they are: its header registry would parse every value again on each set and read,
which cost milliseconds a mail. `_set_raw` checks every value before it goes in.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, TypeAlias

from flask import render_template

from helpdesk.core.settings import settings
from helpdesk.core.urls import external_url
from helpdesk.extensions import db
from helpdesk.incidents.attachments import blob_path
from helpdesk.kb import helped_links
from helpdesk.models import Attachment, Incident, Message, OutboundEmail, User
from helpdesk.notify.addresses import ascii_address
from helpdesk.notify.message_ids import mail_domain

# RFC 3834: replies to a mail (acknowledgements, notices) vs mail nobody wrote back to.
AUTO_REPLIED = "auto-replied"
AUTO_GENERATED = "auto-generated"
ENCODED_WORD_BYTES = 39  # 52 base64 characters: each encoded word fits a 78-column line
PLAIN_LEAD_MAX = 40  # a leading ASCII word kept readable must leave the line short
# The stdlib decodes any RFC 2047 word it meets in a header value, even one typed into a
# name or subject, and "=?utf-8?b?DQo...?=" decodes to CR/LF: text never reaches it raw.
ENCODED_WORD_START = "=?"
# What a snapshot holds: it is stored as JSON.
JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None


def new_message_id() -> str:
    """Return a unique Message-ID in the support address's domain (mail about no incident)."""
    return f"<{uuid.uuid4().hex}@{mail_domain()}>"


def one_line(text: str) -> str:
    """Collapse a value for a header onto one line; CR/LF can never inject a header."""
    return " ".join(text.split())


def display_name(text: str) -> str:
    """A person's or the site's name for an address header: one line, nothing to decode."""
    return one_line(text).replace(ENCODED_WORD_START, "=\N{WORD JOINER}?")


def encoded_words(text: str) -> str:
    """RFC 2047-encode text as base64 encoded-words of whole characters, one per line.

    Spaces travel inside the encoded words. The standard library's folder can put a space
    between two encoded words instead, where every decoder must drop it (CPython issue
    144156: "Kästchen éé" arrives as "Kästchenéé"), so non-ASCII text is encoded here.
    """
    chunks, current = [], ""
    for char in text:
        if len((current + char).encode()) > ENCODED_WORD_BYTES:
            chunks.append(current)
            current = ""
        current += char
    chunks.append(current)
    words = (base64.b64encode(chunk.encode()).decode("ascii") for chunk in chunks)
    return "\n ".join(f"=?utf-8?b?{word}?=" for word in words)


def set_text_header(mail: EmailMessage, name: str, text: str) -> None:
    """Set an unstructured header (Subject, Thread-Topic) from one line of text, exactly.

    Plain ASCII goes in as it is; anything else is encoded here, one encoded word per
    short line, so the stdlib never re-folds or decodes it. A leading plain word, such
    as the [INC-000123] token, stays readable in the raw header.
    """
    value = one_line(text)
    if _plain(value):
        _set_raw(mail, name, value)
        return
    first, _, rest = value.partition(" ")
    if _plain(first) and len(first) <= PLAIN_LEAD_MAX and rest:
        _set_raw(mail, name, f"{first}\n {encoded_words(rest)}")
    else:
        _set_raw(mail, name, encoded_words(value))


def address_header(name: str, addr_spec: str) -> str:
    """Format "Name <addr>" for a header: the name quoted, or encoded when not ASCII."""
    phrase = display_name(name)
    address = one_line(addr_spec)
    if not phrase:
        return address
    if _plain(phrase):
        return f"{quote_phrase(phrase)} <{address}>"
    return f"{encoded_words(phrase)}\n <{address}>"


def quote_phrase(text: str) -> str:
    """A display name as an RFC 5322 quoted-string (backslash before \\ and ")."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _set_raw(mail: EmailMessage, name: str, value: str) -> None:
    """Put a value formatted here into the mail; refuse anything that could break a line.

    Continuation lines must start with a space (our own folding); any other line break,
    a CR, or a non-ASCII character means a value escaped its formatting: a bug, not mail.
    """
    lines = value.split("\n")
    if not value.isascii() or "\r" in value or any(not line[:1].isspace() for line in lines[1:]):
        raise ValueError(f"refusing an unsafe {name} header")
    mail.set_raw(name, value)


def _plain(text: str) -> bool:
    """Text the stdlib may take as it is: ASCII with nothing that looks like an encoded word."""
    return text.isascii() and ENCODED_WORD_START not in text


def incident_subject(incident: Incident) -> str:
    """Subject that carries the reference token the gateway threads replies by."""
    return one_line(f"[{incident.reference}] {incident.subject}")


def render(row: OutboundEmail) -> bytes:
    """Build the message a queued row describes (intents.queue_email), with CRLF line ends.

    Ids in the snapshot are read now; the values it holds were decided when it was queued.
    Raises on anything that keeps the mail from being written (delivery.rendered says so).
    """
    snapshot = row.snapshot
    if row.kind is None or snapshot is None:
        raise ValueError("the outbox row has neither a mail nor a snapshot to render it from")
    incident = db.session.get(Incident, row.incident_id) if row.incident_id else None
    message = db.session.get(Message, row.message_row_id) if row.message_row_id else None
    attached, too_big = _within_budget(_attachments(snapshot["attachments"]))
    context = dict(snapshot["context"])
    context.update(
        recipient=snapshot["to"],
        incident=incident,
        message=message,
        linked=[(item, _download_url(item)) for item in too_big],
    )
    if snapshot["offers"] and incident is not None:
        context["articles"] = _offers(incident, snapshot["to"]["id"])
    mail = EmailMessage()
    _headers(mail, row, snapshot)
    mail.set_content(render_template(f"email/{row.kind}.txt", **context))
    if snapshot["html"]:
        mail.add_alternative(render_template(f"email/{row.kind}.html", **context), subtype="html")
    for attachment in attached:
        _attach(mail, attachment)
    return mail.as_bytes(policy=policy.SMTP)  # CRLF line ends, as SMTP requires


def _offers(incident: Incident, requester_id: int) -> list[tuple[helped_links.Offer, str]]:
    """The help articles readable now that match the incident, with their "this fixed it" links
    (ranked here, not at intake: the ranking is the dearest part of an acknowledgement)."""
    requester = db.session.get(User, requester_id)
    return helped_links.offers(incident, requester) if requester is not None else []


def _attachments(ids: list[int]) -> list[Attachment]:
    """The snapshot's attachments that still exist, in its order."""
    found = (db.session.get(Attachment, attachment_id) for attachment_id in ids)
    return [attachment for attachment in found if attachment is not None]


def _headers(mail: EmailMessage, row: OutboundEmail, snapshot: dict[str, Any]) -> None:
    """Set every header of the mail from the row and its snapshot."""
    own = settings().site
    site = address_header(own.name, own.support_address)
    _set_raw(mail, "From", site)
    address = ascii_address(row.recipient)
    if address is None:  # audience.refusal() keeps such recipients out of every notice
        raise ValueError("refusing a recipient whose address needs SMTPUTF8")
    _set_raw(mail, "To", address_header(snapshot["to"]["name"], address))
    _set_raw(mail, "Reply-To", site)
    set_text_header(mail, "Subject", snapshot["subject"])
    _set_raw(mail, "Date", format_datetime(row.created_at.replace(tzinfo=UTC)))
    _set_raw(mail, "Message-ID", row.message_id)
    # Our own mail coming back (a forwarding rule, a list) is recognised by this and dropped.
    _set_raw(mail, "X-Loop", one_line(own.support_address))
    thread = snapshot.get("thread")
    if thread is not None:
        _thread(mail, thread)
    auto_submitted = snapshot["auto_submitted"]
    if auto_submitted:
        _set_raw(mail, "Auto-Submitted", auto_submitted)
        _set_raw(mail, "X-Auto-Response-Suppress", "All")  # Exchange: no out-of-office replies


def _thread(mail: EmailMessage, thread: dict[str, Any]) -> None:
    """Threading headers so Gmail, Thunderbird and Outlook show one conversation."""
    if thread["in_reply_to"]:  # ids from threads.usable(): checked, one token each
        _set_raw(mail, "In-Reply-To", thread["in_reply_to"])
        _set_raw(mail, "References", "\n ".join(thread["references"]))
    set_text_header(mail, "Thread-Topic", thread["topic"])
    _set_raw(mail, "Thread-Index", thread["index"])


def _within_budget(attachments: Sequence[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    """Split attachments into those that fit the mail size budget and those to link instead
    (many mail servers refuse a large message outright)."""
    remaining = settings().limits.mail_attachment_budget_bytes
    attached: list[Attachment] = []
    linked: list[Attachment] = []
    for attachment in attachments:
        fits = attachment.size <= remaining and blob_path(attachment).is_file()
        (attached if fits else linked).append(attachment)
        remaining -= attachment.size if fits else 0
    return attached, linked


def _download_url(attachment: Attachment) -> str:
    """Where a file left out of the mail can be downloaded (after signing in)."""
    return external_url(
        "attachments.download", attachment_id=attachment.id, filename=attachment.filename
    )


def _attach(mail: EmailMessage, attachment: Attachment) -> None:
    """Add one stored file as an attachment part with its display name."""
    maintype, _, subtype = attachment.content_type.partition("/")
    if not subtype or maintype == "multipart":
        maintype, subtype = "application", "octet-stream"
    data = blob_path(attachment).read_bytes()  # bytes go out base64, exactly as stored
    mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
