"""loops.py: which mail may be answered or open incidents, and what bounces tell."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mail_gateway import bounces, loops
from mail_gateway.loops import MailKind, classify
from mail_gateway.parse import parse
from mail_gateway.parsed_mail import DeliveryReport, ParsedMail

CORPUS = Path(__file__).parent / "mail_corpus"
OWN = {"Support@helpdesk.example", "helpdesk@example.org"}


def mail(**fields: object) -> ParsedMail:
    """A ParsedMail from a person, with some fields changed."""
    base = ParsedMail(
        raw=b"",
        dedupe_key="<x@example.com>",
        message_id="<x@example.com>",
        subject="Printer broken",
        from_address="jane@example.com",
        from_name="Jane",
    )
    return replace(base, **fields)


def load(name: str) -> ParsedMail:
    """Parse one corpus file."""
    return parse((CORPUS / name).read_bytes())


EXPECTED_KINDS = {
    "plain_gmail.eml": MailKind.NORMAL,
    "reply_outlook_from_sent.eml": MailKind.NORMAL,
    "outlook_auto_response_suppress_normal.eml": MailKind.NORMAL,
    "forwarded_bounce_by_user.eml": MailKind.NORMAL,
    "auto_reply_auto_submitted.eml": MailKind.AUTO_REPLY,
    "auto_reply_x_autoreply.eml": MailKind.AUTO_REPLY,
    "auto_reply_exchange_oof.eml": MailKind.AUTO_REPLY,
    "bulk_mailing_list.eml": MailKind.BULK,
    "bulk_newsletter.eml": MailKind.BULK,
    "bounce_dsn_postfix.eml": MailKind.BOUNCE,
    "bounce_dsn_exchange.eml": MailKind.BOUNCE,
    "bounce_dsn_gmail.eml": MailKind.BOUNCE,
    "bounce_dsn_delayed.eml": MailKind.BOUNCE,
    "bounce_qmail.eml": MailKind.BOUNCE,
    "bounce_exim_x_failed_recipients.eml": MailKind.BOUNCE,
    "own_support_address.eml": MailKind.OWN,
    "own_x_loop_via_forwarder.eml": MailKind.OWN,
    "noreply_sender.eml": MailKind.SYSTEM_SENDER,
}


@pytest.mark.parametrize(("name", "kind"), EXPECTED_KINDS.items())
def test_corpus_mail_is_classified(name: str, kind: MailKind) -> None:
    assert classify(load(name), OWN) is kind


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"auto-submitted": "no"}, MailKind.NORMAL),
        ({"auto-submitted": "auto-replied"}, MailKind.AUTO_REPLY),
        ({"auto-submitted": "Auto-Generated; owner=x"}, MailKind.AUTO_REPLY),
        ({"x-autoreply": "yes"}, MailKind.AUTO_REPLY),
        ({"x-autorespond": "vacation"}, MailKind.AUTO_REPLY),
        ({"precedence": "auto_reply"}, MailKind.AUTO_REPLY),
        ({"x-auto-response-suppress": "All"}, MailKind.NORMAL),
        ({"precedence": "Bulk"}, MailKind.BULK),
        ({"precedence": "junk"}, MailKind.BULK),
        ({"precedence": "list"}, MailKind.BULK),
        ({"list-id": "<x.lists.example.com>"}, MailKind.BULK),
        ({"list-unsubscribe": "<mailto:leave@example.com>"}, MailKind.BULK),
        ({"x-loop": "helpdesk@example.org"}, MailKind.OWN),
        ({"x-loop": "someone-else@example.com"}, MailKind.NORMAL),
    ],
)
def test_headers_decide_the_kind(headers: dict[str, str], kind: MailKind) -> None:
    assert classify(mail(headers=headers), OWN) is kind


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("support@helpdesk.example", MailKind.OWN),
        ("SUPPORT@HELPDESK.EXAMPLE", MailKind.OWN),
        ("noreply@shop.example", MailKind.SYSTEM_SENDER),
        ("no-reply@shop.example", MailKind.SYSTEM_SENDER),
        ("no_reply@shop.example", MailKind.SYSTEM_SENDER),
        ("do-not-reply@shop.example", MailKind.SYSTEM_SENDER),
        ("donotreply@shop.example", MailKind.SYSTEM_SENDER),
        ("noreply-alerts@shop.example", MailKind.SYSTEM_SENDER),
        ("mailer-daemon@mx.example", MailKind.SYSTEM_SENDER),
        ("postmaster@mx.example", MailKind.SYSTEM_SENDER),
        ("noreen@shop.example", MailKind.NORMAL),
        ("replyto@shop.example", MailKind.NORMAL),
    ],
)
def test_sender_address_decides_the_kind(address: str, kind: MailKind) -> None:
    assert classify(mail(from_address=address), OWN) is kind


def test_mailer_daemon_with_failure_subject_is_a_bounce_even_without_report() -> None:
    daemon = mail(from_address="mailer-daemon@mx.example", subject="Returned mail: see transcript")
    assert classify(daemon, OWN) is MailKind.BOUNCE
    forwarded = mail(subject="Fwd: Undelivered Mail Returned to Sender")
    assert classify(forwarded, OWN) is MailKind.NORMAL


def test_a_report_wins_over_everything_else() -> None:
    report = DeliveryReport("<a@b>", ("x@example.com",), "550 no such user")
    assert classify(mail(report=report, from_address="support@helpdesk.example"), OWN) is (
        MailKind.BOUNCE
    )


@pytest.mark.parametrize(
    ("kind", "acknowledge", "incident", "note", "ignored"),
    [
        (MailKind.NORMAL, True, True, False, False),
        (MailKind.SYSTEM_SENDER, False, True, True, False),
        (MailKind.BULK, False, True, True, False),
        (MailKind.AUTO_REPLY, False, False, True, False),
        (MailKind.BOUNCE, False, False, True, False),
        (MailKind.OWN, False, False, False, True),
    ],
)
def test_policy_per_kind(
    kind: MailKind, acknowledge: bool, incident: bool, note: bool, ignored: bool
) -> None:
    assert loops.may_acknowledge(kind) is acknowledge
    assert loops.creates_incident(kind) is incident
    assert loops.threads_as_note(kind) is note
    assert loops.is_ignored(kind) is ignored


@pytest.mark.parametrize(
    ("name", "original", "failed", "reason"),
    [
        (
            "bounce_dsn_postfix.eml",
            "<inc-000123.1715673791.abc@helpdesk.example>",
            ("jane.doe@example.com",),
            "550 5.1.1 <jane.doe@example.com>: Recipient address rejected",
        ),
        (
            "bounce_dsn_exchange.eml",
            "<inc-000124.1715700000.xyz@helpdesk.example>",
            ("tom.old@contoso.example",),
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound",
        ),
        (
            "bounce_dsn_gmail.eml",
            "<inc-000133.1716000000.aaa@helpdesk.example>",
            ("nobody.here@gmail.com",),
            "550-5.1.1 The email account that you tried to reach does not exist",
        ),
        (
            "bounce_qmail.eml",
            "<inc-000135.1716200000.ccc@helpdesk.example>",
            ("gone.user@legacy.example",),
            "Sorry, no mailbox here by that name. (#5.1.1)",
        ),
        (
            "bounce_exim_x_failed_recipients.eml",
            "<inc-000136.1716300000.ddd@helpdesk.example>",
            ("typo.user@exim.example",),
            "550 5.1.1 <typo.user@exim.example>: Recipient address rejected: User unknown",
        ),
    ],
)
def test_bounces_name_the_message_the_recipient_and_the_reason(
    name: str, original: str, failed: tuple[str, ...], reason: str
) -> None:
    report = load(name).report
    assert report is not None
    assert report.original_message_id == original
    assert report.failed_recipients == failed
    assert report.reason.startswith(reason)


def test_delayed_dsn_is_a_report_without_failed_recipients() -> None:
    report = load("bounce_dsn_delayed.eml").report
    assert report is not None and report.failed_recipients == ()
    assert report.original_message_id == "<inc-000134.1716100000.bbb@helpdesk.example>"
    assert report.reason.startswith("delayed: 4.4.1 connect to mx.slow.example")


@pytest.mark.parametrize(
    "name",
    ["forwarded_bounce_by_user.eml", "plain_gmail.eml", "auto_reply_exchange_oof.eml"],
)
def test_other_mail_has_no_report(name: str) -> None:
    assert load(name).report is None


def test_x_failed_recipients_alone_makes_a_report() -> None:
    bounce = mail(
        headers={"x-failed-recipients": "A@Example.com, b@example.com"},
        text="Message-ID: <ours@helpdesk.example>\n",
    )
    report = bounces.read_delivery_report(bounce)
    assert report == DeliveryReport(
        "<ours@helpdesk.example>",
        ("a@example.com", "b@example.com"),
        "Delivery failed: Printer broken",
    )
