"""Turning a notification into an RFC 5322 message queued in the outbox.

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
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template

from helpdesk.core.urls import external_url
from helpdesk.extensions import db
from helpdesk.incidents.attachments import blob_path
from helpdesk.models import Attachment, Incident, Message, OutboundEmail, User, utcnow
from helpdesk.notify.addresses import ascii_address
from helpdesk.notify.delivery import MAIL_QUEUED
from helpdesk.notify.message_ids import mail_domain, signed_message_id
from helpdesk.notify.threads import thread_for

# RFC 3834: replies to a mail (acknowledgements, notices) vs mail nobody wrote back to.
AUTO_REPLIED = "auto-replied"
AUTO_GENERATED = "auto-generated"
SUBJECT_COLUMN = 255
ENCODED_WORD_BYTES = 39  # 52 base64 characters: each encoded word fits a 78-column line
PLAIN_LEAD_MAX = 40  # a leading ASCII word kept readable must leave the line short
# The stdlib decodes any RFC 2047 word it meets in a header value, even one typed into a
# name or subject, and "=?utf-8?b?DQo...?=" decodes to CR/LF: text never reaches it raw.
ENCODED_WORD_START = "=?"


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


def queue_email(
    recipient: User,
    subject: str,
    template: str,
    incident: Incident | None = None,
    auto_submitted: str | None = AUTO_REPLIED,
    message: Message | None = None,
    attachments: Sequence[Attachment] = (),
    html: bool = True,
    **context: object,
) -> OutboundEmail:
    """Render templates/email/<template>.txt (and .html) for one recipient into the outbox.

    `auto_submitted` is None for an agent's personal reply; auto-replied notices count
    toward the hourly limit per recipient. `message` is the thread message the mail
    carries, if any; `attachments` are sent along as far as the size budget allows.
    """
    now = utcnow()
    attached, too_big = _within_budget(attachments)
    linked = [(item, _download_url(item)) for item in too_big]
    context.update(recipient=recipient, incident=incident, message=message, linked=linked)
    mail = EmailMessage()
    message_id = _headers(mail, recipient, subject, incident, message, auto_submitted, now)
    mail.set_content(render_template(f"email/{template}.txt", **context))
    if html:
        mail.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    for attachment in attached:
        _attach(mail, attachment)
    if message is not None and message.email_message_id is None:
        message.email_message_id = message_id  # a reply to it then finds this very message
    row = OutboundEmail(
        incident_id=incident.id if incident else None,
        recipient=recipient.email,
        subject=one_line(subject)[:SUBJECT_COLUMN],
        message_id=message_id,
        raw=mail.as_bytes(policy=policy.SMTP),  # CRLF line ends, as SMTP requires
        automatic=auto_submitted == AUTO_REPLIED,
        message_row_id=message.id if message else None,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(row)
    db.session.info[MAIL_QUEUED] = True  # tells the embedded transport there is work
    return row


def _headers(
    mail: EmailMessage,
    recipient: User,
    subject: str,
    incident: Incident | None,
    message: Message | None,
    auto_submitted: str | None,
    now: datetime,
) -> str:
    """Set every header of the mail; return its Message-ID (signed for incident mail)."""
    _address(mail, recipient, subject, now)
    if incident is None:
        message_id = new_message_id()
    else:
        message_id = signed_message_id(incident.id, message.id if message else None)
    _set_raw(mail, "Message-ID", message_id)
    # Our own mail coming back (a forwarding rule, a list) is recognised by this and dropped.
    _set_raw(mail, "X-Loop", one_line(current_app.config["SUPPORT_ADDRESS"]))
    if incident is not None:
        _thread(mail, incident, recipient, now)
    if auto_submitted:
        _set_raw(mail, "Auto-Submitted", auto_submitted)
        _set_raw(mail, "X-Auto-Response-Suppress", "All")  # Exchange: no out-of-office replies
    return message_id


def _address(mail: EmailMessage, recipient: User, subject: str, now: datetime) -> None:
    """From the site at the support address, to the recipient, replies to support."""
    site = address_header(current_app.config["SITE_NAME"], current_app.config["SUPPORT_ADDRESS"])
    _set_raw(mail, "From", site)
    address = ascii_address(recipient.email)
    if address is None:  # audience.refusal() keeps such recipients out of every notice
        raise ValueError("refusing a recipient whose address needs SMTPUTF8")
    _set_raw(mail, "To", address_header(recipient.name, address))
    _set_raw(mail, "Reply-To", site)
    set_text_header(mail, "Subject", subject)
    _set_raw(mail, "Date", format_datetime(now.replace(tzinfo=UTC)))


def _thread(mail: EmailMessage, incident: Incident, recipient: User, now: datetime) -> None:
    """Threading headers so Gmail, Thunderbird and Outlook show one conversation."""
    thread = thread_for(incident, recipient.email, now)
    if thread.in_reply_to:  # ids from threads.usable(): checked, one token each
        _set_raw(mail, "In-Reply-To", thread.in_reply_to)
        _set_raw(mail, "References", "\n ".join(thread.references))
    set_text_header(mail, "Thread-Topic", incident.subject)
    _set_raw(mail, "Thread-Index", thread.thread_index)


def _within_budget(attachments: Sequence[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    """Split attachments into those that fit the mail size budget and those to link instead
    (many mail servers refuse a large message outright)."""
    budget = int(current_app.config["MAIL_ATTACHMENT_BUDGET_MB"])
    remaining = budget * 1024 * 1024
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
