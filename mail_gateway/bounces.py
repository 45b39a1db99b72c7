"""Reading bounces: whether a mail is a mail system's failure notice, and what it reports
(which message failed, to whom, why). RFC 3464 delivery-status reports are read from their
own part; the usual non-standard ones by sender, subject or X-Failed-Recipients, with
flufl.bounce. The parser calls this for every mail; loops.py decides what a bounce may cause.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import replace

from flufl.bounce import all_failures

from mail_gateway.decode import EMAILISH, printable
from mail_gateway.parsed_mail import DeliveryReport, ParsedMail

# flufl.bounce logs every detector it tries at INFO and tracebacks that read_delivery_report
# already catches; neither belongs in the gateway's log.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)

BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_DELIVERY_SYSTEM_NAME = re.compile(r"mail delivery (sub)?system", re.IGNORECASE)
# Anchored at the start: "Fwd: Undelivered Mail ..." is a person asking for help with a bounce.
_FAILURE_SUBJECT = re.compile(
    r"^\s*(undeliver|delivery status notification|delivery failure|mail delivery failed"
    r"|returned mail|failure notice|non[- ]?deliver|delivery has failed|message not delivered"
    r"|mail system error|could not send message|unzustellbar|nicht zustellbar|non remis"
    r"|delayed mail)",
    re.IGNORECASE,
)
_QMAIL_INTRO = "Hi. This is the qmail-send program"
_SMTP_REASON = re.compile(
    r"^.*(\b[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b|#[45]\.\d{1,3}\.\d{1,3}"
    r"|\b(421|450|451|452|550|551|552|553|554)\b).*$",
    re.MULTILINE,
)
_QUOTED_MESSAGE_ID = re.compile(r"^[ \t>]*Message-ID:[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.M)
_MAX_REASON = 500


def _bounce_sender(mail: ParsedMail) -> bool:
    """Whether the sender is a mail system rather than a person."""
    local_part = mail.from_address.rpartition("@")[0]
    null_path = mail.headers.get("return-path", "").strip() in ("<>", "")
    return (
        local_part in BOUNCE_SENDERS
        or bool(_DELIVERY_SYSTEM_NAME.search(mail.from_name))
        or (not mail.from_address and null_path and "return-path" in mail.headers)
    )


def is_bounce_by_sender(mail: ParsedMail) -> bool:
    """A mail system's sender with a failure subject, or qmail's fixed introduction."""
    if not _bounce_sender(mail):
        return False
    return bool(_FAILURE_SUBJECT.match(mail.subject)) or _QMAIL_INTRO in mail.text[:2000]


def read_delivery_report(mail: ParsedMail) -> DeliveryReport | None:
    """What a bounce says (which message, which recipients, why), or None for other mail.

    RFC 3464 reports are read from their message/delivery-status part; other bounces are
    recognised by sender, subject or X-Failed-Recipients and read with flufl.bounce. What
    the report quotes comes back as printable text: it becomes a note and an audit entry.
    """
    report = _read_report(mail)
    if report is None:
        return None
    recipients = (printable(address) for address in report.failed_recipients)
    return replace(
        report,
        original_message_id=printable(report.original_message_id or "") or None,
        failed_recipients=tuple(dict.fromkeys(address for address in recipients if address)),
        reason=printable(report.reason),
    )


def _read_report(mail: ParsedMail) -> DeliveryReport | None:
    """The report as the bounce states it (see read_delivery_report)."""
    status = _attachment(mail, "message/delivery-status")
    report = _dsn_report(mail, status) if status is not None else None
    if report is not None:
        return report
    if "x-failed-recipients" not in mail.headers and not is_bounce_by_sender(mail):
        return None
    failed = EMAILISH.findall(mail.headers.get("x-failed-recipients", ""))
    failed += _flufl_recipients(mail.raw)
    return DeliveryReport(
        original_message_id=_original_message_id(mail),
        failed_recipients=tuple(dict.fromkeys(address.lower() for address in failed)),
        reason=_reason_from_text(mail),
    )


def _attachment(mail: ParsedMail, content_type: str) -> bytes | None:
    """The data of the first attachment of a type, if the mail has one."""
    return next((a.data for a in mail.attachments if a.content_type == content_type), None)


def _dsn_report(mail: ParsedMail, status: bytes) -> DeliveryReport | None:
    """Read an RFC 3464 message/delivery-status part; None when it names no recipient."""
    blocks = [_fields(block) for block in re.split(r"\n[ \t]*\n", _text(status))]
    recipients = [b for b in blocks if "final-recipient" in b or "original-recipient" in b]
    if not recipients:
        return None
    failed = [b for b in recipients if b.get("action", "").lower().startswith(("fail", "error"))]
    first = (failed or recipients)[0]
    return DeliveryReport(
        original_message_id=_original_message_id(mail),
        failed_recipients=tuple(dict.fromkeys(filter(None, map(_recipient, failed)))),
        reason=_dsn_reason(first, failed=bool(failed)),
    )


def _fields(block: str) -> dict[str, str]:
    """Header-style "Name: value" lines of a block (continuations unfolded), by lower name."""
    fields: dict[str, str] = {}
    name = ""
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and name:
            fields[name] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            fields.setdefault(name, value.strip())
    return fields


def _recipient(block: dict[str, str]) -> str:
    """The address in "rfc822; user@example.com" (Final- before Original-Recipient)."""
    value = block.get("final-recipient") or block.get("original-recipient", "")
    return value.rpartition(";")[2].strip().strip("<>").lower()


def _dsn_reason(block: dict[str, str], failed: bool) -> str:
    """A one-line reason from Status and Diagnostic-Code, prefixed by the action if not failed."""
    diagnostic = block.get("diagnostic-code", "").partition(";")
    detail = (diagnostic[2] or diagnostic[0]).strip()
    status = block.get("status", "").strip()
    reason = detail if status and status in detail else " ".join(filter(None, (status, detail)))
    if not failed:
        reason = f"{block.get('action', 'unknown action')}: {reason or _recipient(block)}"
    return reason[:_MAX_REASON] or "Delivery failed"


def _original_message_id(mail: ParsedMail) -> str | None:
    """The Message-ID of the message that bounced: from the returned copy, else the text."""
    for content_type in ("message/rfc822", "text/rfc822-headers"):
        data = _attachment(mail, content_type)
        if data is not None:
            head = re.split(r"\r?\n\r?\n", _text(data), maxsplit=1)[0]
            found = _QUOTED_MESSAGE_ID.search(head)
            if found:
                return found.group(1)
    found = _QUOTED_MESSAGE_ID.search(mail.text)
    return found.group(1) if found else None


def _reason_from_text(mail: ParsedMail) -> str:
    """The first line of a non-standard bounce that carries an SMTP code, else a fallback."""
    found = _SMTP_REASON.search(mail.text[:20_000])
    if found:
        return " ".join(found.group(0).split())[:_MAX_REASON]
    return f"Delivery failed: {mail.subject}"[:_MAX_REASON] if mail.subject else "Delivery failed"


def _flufl_recipients(raw: bytes) -> list[str]:
    """Failed recipients found by flufl.bounce's detectors (permanent, else temporary)."""
    try:
        temporary, permanent = all_failures(email.message_from_bytes(raw))
    except Exception:
        return []
    return sorted(address.decode("ascii", "replace") for address in permanent or temporary)


def _text(data: bytes) -> str:
    """Bytes of a machine-written part as text."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n")
