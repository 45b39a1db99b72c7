"""Turning a notification into an RFC 5322 message queued in the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template, url_for

from helpdesk.extensions import db
from helpdesk.models import Incident, OutboundEmail, User


def external_url(endpoint: str, **values: object) -> str:
    """Build an absolute link on the configured BASE_URL, inside or outside a request."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def new_message_id() -> str:
    """Return a unique Message-ID in the support address's domain."""
    domain = current_app.config["SUPPORT_ADDRESS"].rpartition("@")[2] or "helpdesk.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def one_line(text: str) -> str:
    """Collapse a value for a header onto one line; CR/LF can never inject a header."""
    return " ".join(text.split())


def incident_subject(incident: Incident) -> str:
    """Subject that carries the reference token the gateway threads replies by."""
    return one_line(f"[{incident.reference}] {incident.subject}")


def queue_email(
    recipient: User,
    subject: str,
    template: str,
    incident: Incident | None = None,
    automatic: bool = True,
    **context: object,
) -> OutboundEmail:
    """Render templates/email/<template>.txt for one recipient and add it to the outbox."""
    message = EmailMessage()
    site = current_app.config["SITE_NAME"]
    support = current_app.config["SUPPORT_ADDRESS"]
    message["From"] = Address(display_name=one_line(site), addr_spec=support)
    message["To"] = Address(display_name=one_line(recipient.name), addr_spec=recipient.email)
    message["Reply-To"] = support
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message_id = new_message_id()
    message["Message-ID"] = message_id
    if automatic:
        message["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-reply loops
    body = render_template(
        f"email/{template}.txt", recipient=recipient, incident=incident, **context
    )
    message.set_content(body)
    row = OutboundEmail(
        incident_id=incident.id if incident else None,
        recipient=recipient.email,
        subject=message["Subject"],
        message_id=message_id,
        raw=message.as_bytes(),
    )
    db.session.add(row)
    return row
