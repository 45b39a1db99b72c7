"""parse(): every corpus mail decodes without raising, and the tricky ones decode right."""

# Cyrillic letters, curly quotes and dashes are the point of these tests.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
import hashlib
import random
import re
from pathlib import Path

import pytest

from mail_gateway.parse import MAX_TEXT_CHARS, parse
from mail_gateway.parsed_mail import ParsedMail
from tests.mail import mutations

CORPUS = Path(__file__).parent / "mail_corpus"
FILES = sorted(CORPUS.glob("*.eml"))
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def load(name: str) -> ParsedMail:
    """Parse one corpus file."""
    return parse((CORPUS / name).read_bytes())


def attachment(mail: ParsedMail, filename: str):
    """The attachment with this file name (fails the test when missing)."""
    found = [item for item in mail.attachments if item.filename == filename]
    assert found, [item.filename for item in mail.attachments]
    return found[0]


def test_corpus_is_big_enough_and_documented() -> None:
    readme = (CORPUS / "README.md").read_text()
    assert len(FILES) >= 45
    undocumented = [path.name for path in FILES if path.name not in readme]
    assert undocumented == []


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_every_corpus_mail_parses_to_sane_fields(path: Path) -> None:
    raw = path.read_bytes()
    mail = parse(raw)
    assert mail.raw == raw
    assert mail.message_id is None or MESSAGE_ID.fullmatch(mail.message_id)
    expected_key = mail.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    assert mail.dedupe_key == expected_key
    for address in [mail.from_address, *mail.to, *mail.cc, *mail.reply_to]:
        assert address == address.lower() and "@" in address and " " not in address
    assert all(MESSAGE_ID.fullmatch(item) for item in mail.in_reply_to + mail.references)
    assert "\n" not in mail.subject and "\x00" not in mail.subject
    assert "\x00" not in mail.text and len(mail.text) <= MAX_TEXT_CHARS
    assert mail.html is None or "<script" not in mail.html.lower()
    assert all(name == name.lower() for name in mail.headers)
    for item in mail.attachments:
        assert item.filename and "/" not in item.filename and "\\" not in item.filename
        assert isinstance(item.data, bytes) and "/" in item.content_type
    assert all(isinstance(defect, str) and defect for defect in mail.defects)


def test_plain_gmail_mail() -> None:
    mail = load("plain_gmail.eml")
    assert mail.message_id == "<CAJ8s9a+XyZ1=Kq0bV@mail.gmail.com>"
    assert (mail.from_name, mail.from_address) == ("Jane Doe", "jane.doe@gmail.com")
    assert mail.to == ["support@helpdesk.example"]
    assert mail.date is not None and mail.date.utcoffset().total_seconds() == 7200
    assert "prints only blank pages" in mail.text and mail.html is None
    assert mail.headers["delivered-to"] == "support@helpdesk.example"
    assert mail.defects == []


@pytest.mark.parametrize(
    ("name", "subject", "sender"),
    [
        ("subject_utf8_base64.eml", "Не работает принтер 🚫", "Анна Петрова"),
        ("subject_iso8859_1_qp.eml", "Problème d'accès à l'imprimante", "François Lévesque"),
        ("subject_shift_jis.eml", "プリンターが動きません", "山田 太郎"),
        ("subject_windows_1252.eml", "“Invoice € 120” can’t be opened", "Seán O’Brien"),
        ("iso_2022_jp.eml", "パスワードの再設定", "佐藤 花子"),
        ("raw_utf8_headers.eml", "Skrivaren på plan 4 fungerar inte – igen", "Zoë Ångström"),
        ("wrong_charset_declared_ascii.eml", "Fel i lönesystemet", "Lars Nilsson"),
        ("wrong_charset_declared_utf8.eml", "Contraseña caducada", "María García"),
    ],
)
def test_encoded_headers_are_decoded(name: str, subject: str, sender: str) -> None:
    mail = load(name)
    assert (mail.subject, mail.from_name) == (subject, sender)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("subject_shift_jis.eml", "3階のプリンターが動きません。"),
        ("subject_windows_1252.eml", "€ 120 doesn’t open – Acrobat says “file damaged”"),
        ("subject_iso8859_1_qp.eml", "« accès refusé »"),
        ("iso_2022_jp.eml", "再設定をお願いします"),
        ("wrong_charset_declared_ascii.eml", "Lönesystemet visar fel belopp för maj"),
        ("wrong_charset_declared_utf8.eml", "mi contraseña caducó"),
        ("latin1_declared_but_utf8.eml", "Passwort zurücksetzen"),
        ("8bit_no_charset.eml", "Skriveren på 2. etasje skriver ut blå striper"),
        ("unknown_body_charset.eml", "Café printer says “PC LOAD LETTER”"),
        ("missing_content_type.eml", 'Backup job "fileserver" finished'),
    ],
)
def test_body_charsets_declared_wrong_or_missing(name: str, fragment: str) -> None:
    assert fragment in load(name).text


@pytest.mark.parametrize(
    ("name", "defect"),
    [
        ("wrong_charset_declared_ascii.eml", "declared us-ascii; decoded as Windows-1252"),
        ("wrong_charset_declared_utf8.eml", "declared utf-8; decoded as Windows-1252"),
        ("8bit_no_charset.eml", "no charset declared; decoded as UTF-8"),
        ("unknown_body_charset.eml", "unknown charset 'x-mac-klingon'"),
        ("broken_base64.eml", "invalid base64"),
        ("broken_encoded_words.eml", "Malformed encoded words"),
        ("multipart_no_boundary.eml", "no boundary in multipart"),
        ("multipart_unterminated.eml", "close boundary not found"),
        ("null_bytes.eml", "NUL bytes were removed"),
        ("deeply_nested.eml", "nested deeper than"),
        ("broken_address_headers.eml", "Unreadable Date header"),
    ],
)
def test_repairs_are_recorded_as_readable_defects(name: str, defect: str) -> None:
    defects = load(name).defects
    assert any(defect in item for item in defects), defects


def test_broken_transfer_encodings_keep_what_can_be_read() -> None:
    assert "The scanner on floor 1 is offline." in load("broken_base64.eml").text
    qp = load("broken_quoted_printable.eml").text
    assert "rejects my card — error code = 17" in qp


def test_broken_addresses_fall_back_to_what_looks_like_an_address() -> None:
    mail = load("broken_address_headers.eml")
    assert mail.from_address == "broken@example.com"
    assert mail.to == ["support@helpdesk.example"]
    assert mail.message_id is None and mail.date is None


def test_null_bytes_are_stripped_from_text_and_headers() -> None:
    mail = load("null_bytes.eml")
    assert mail.text == "Line one with a NUL.\nLine two.\n"
    assert mail.subject == "Null bytes in body"
    assert mail.from_address == "nullsender@example.com"


def test_rfc2231_and_rfc2047_file_names() -> None:
    assert attachment(load("rfc2231_filename.eml"), "Rechnung März 2024.pdf").data[:5] == b"%PDF-"
    assert attachment(load("rfc2231_filename.eml"), "日本語の文書.txt").data == b"hello"
    image = attachment(load("rfc2047_filename_outlook.eml"), "Fehlermeldung Öffnen.png")
    assert image.content_type == "image/png" and image.data.startswith(b"\x89PNG")


def test_nested_alternative_related_with_inline_image() -> None:
    mail = load("nested_related_inline_image.eml")
    assert mail.text.startswith("The CRM app shows this error")
    image = attachment(mail, "error.png")
    assert image.inline and image.content_id == "F1E2D3C4-B5A6-4978-8695-A4B3C2D1E0F9@home"
    assert not attachment(mail, "crm-log.pdf").inline
    assert mail.html is not None and 'src="cid:F1E2D3C4' in mail.html


def test_attached_message_is_kept_as_eml() -> None:
    mail = load("forwarded_as_attachment.eml")
    forwarded = attachment(mail, "Unpaid invoice – act now.eml")
    assert forwarded.content_type == "message/rfc822"
    assert b"Message-ID: <evil-123@evil.example>" in forwarded.data
    assert mail.text.strip() == "Is this phishing? I got it this morning, see attached."


def test_html_only_mail_becomes_readable_text_and_safe_html() -> None:
    mail = load("html_only_outlook.eml")
    assert "drops every 10 minutes since the update" in mail.text
    assert "the status page <https://status.contoso.example/vpn>" in mail.text
    assert "MsoNormal" not in mail.text and "<o:p>" not in mail.text
    assert mail.html is not None and "<style" not in mail.html


def test_hostile_html_is_sanitized() -> None:
    mail = load("html_script_xss.eml")
    html = (mail.html or "").lower()
    for needle in ("<script", "onload", "onerror", "onclick", "javascript:", "<iframe", "<form"):
        assert needle not in html
    assert "tracker.evil.example" not in html and "<style" not in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "steal" not in mail.text and "Hidden title" not in mail.text
    assert "my account is locked." in mail.text


def test_empty_plain_alternative_falls_back_to_the_html() -> None:
    text = load("html_alternative_empty_plain.eml").text
    assert "Name Kim Lee" in text and "Password reset for kim.lee" in text


def test_thunderbird_format_flowed_is_unwrapped() -> None:
    text = load("alternative_thunderbird.eml").text
    assert "mit dem Smartphone. Termine, die ich" in text


def test_message_ids_tolerate_missing_brackets_and_junk() -> None:
    variants = load("references_variants.eml")
    assert variants.message_id == "<20240520093000.reply@example.com>"
    assert variants.in_reply_to == ["<inc-000123.1715673791.abc@helpdesk.example>"]
    assert variants.references == [
        "<first@example.com>",
        "<inc-000123.1715673791.abc@helpdesk.example>",
        "<second@example.com>",
    ]
    junk = load("in_reply_to_junk.eml")
    assert junk.in_reply_to == ["<inc-000123.1715680000.def@helpdesk.example>"]
    assert junk.references == []
    assert load("message_id_without_brackets.eml").message_id == (
        "<job-42-failed.20240520@legacy.example>"
    )


def test_groups_reply_to_and_display_names() -> None:
    mail = load("recipients_groups_reply_to.eml")
    assert (mail.from_name, mail.from_address) == ("O'Neil, Pat (IT)", "pat.oneil@example.com")
    assert mail.to == []
    assert mail.cc == [
        "alice@example.com",
        "bob@example.com",
        "support@helpdesk.example",
        "soren@example.dk",
    ]
    assert mail.reply_to == ["lead@example.com", "helpdesk-followup@example.com"]


def test_mail_without_message_id_is_keyed_by_content_hash() -> None:
    raw = (CORPUS / "no_message_id.eml").read_bytes()
    mail = parse(raw)
    assert mail.message_id is None
    assert mail.dedupe_key == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_duplicate_message_ids_share_a_dedupe_key() -> None:
    first, second = load("duplicate_message_id_a.eml"), load("duplicate_message_id_b.eml")
    assert first.dedupe_key == second.dedupe_key == "<same-id-42@example.com>"
    assert first.text != second.text


def test_empty_body_only_attachment_and_zero_length_file() -> None:
    assert load("empty_body.eml").text == ""
    scan = load("only_attachment.eml")
    assert scan.text == "" and attachment(scan, "scan_0001.pdf").data.startswith(b"%PDF")
    assert attachment(load("zero_length_file.eml"), "export.log").data == b""


def test_long_header_lines_and_uuencode() -> None:
    mail = load("long_header_lines.eml")
    assert mail.subject.startswith("Very long subject word0") and mail.subject.endswith("word399")
    assert len(mail.references) == 60 and len(mail.headers["x-custom-long"]) == 5000
    assert attachment(load("uuencoded_attachment.eml"), "hello.txt").data == b"hello"


def test_calendar_invite_is_an_ics_attachment() -> None:
    mail = load("calendar_invite.eml")
    assert mail.text.strip() == "Can we do the laptop handover on Wednesday?"
    invite = attachment(mail, "invite.ics")
    assert invite.content_type == "text/calendar" and b"METHOD:REQUEST" in invite.data


def test_loop_headers_are_decoded_and_kept() -> None:
    headers = load("auto_reply_exchange_oof.eml").headers
    assert headers["auto-submitted"] == "auto-generated"
    assert headers["x-auto-response-suppress"] == "All"
    assert "list-unsubscribe" in load("bulk_newsletter.eml").headers
    assert load("own_support_address.eml").headers["x-loop"] == "support@helpdesk.example"


def test_authentication_results_are_kept_in_order() -> None:
    raw = (
        b"Authentication-Results: mx.helpdesk.example;\r\n\tspf=pass smtp.mailfrom=example.com\r\n"
        b"Received: from mx.example.com by mx.helpdesk.example\r\n"
        b"Authentication-Results: mx.example.com; dkim=pass header.d=example.com\r\n"
        b"From: jane@example.com\r\nSubject: hi\r\n\r\nHello\r\n"
    )
    assert parse(raw).authentication_results == (
        "mx.helpdesk.example; spf=pass smtp.mailfrom=example.com",
        "mx.example.com; dkim=pass header.d=example.com",
    )
    assert load("plain_gmail.eml").authentication_results == ()


def test_bounce_report_is_filled() -> None:
    report = load("bounce_dsn_postfix.eml").report
    assert report is not None
    assert report.original_message_id == "<inc-000123.1715673791.abc@helpdesk.example>"
    assert report.failed_recipients == ("jane.doe@example.com",)
    assert report.reason.startswith("550 5.1.1 <jane.doe@example.com>: Recipient address")
    assert load("plain_gmail.eml").report is None


def test_huge_body_is_cut_with_a_defect() -> None:
    line = "All work and no play makes Jack a dull boy. é\n"
    raw = (
        "From: jack@example.com\nSubject: big\nContent-Type: text/plain; charset=utf-8\n\n"
        + line * (MAX_TEXT_CHARS // len(line) + 1000)
    ).encode()
    mail = parse(raw)
    assert len(mail.text) == MAX_TEXT_CHARS and mail.text.startswith(line)
    assert any("longer than 1,000,000 characters" in defect for defect in mail.defects)


def test_huge_attachment_is_kept_whole() -> None:
    data = random.Random(3).randbytes(3_000_000)
    raw = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\n"
        b"Content-Type: application/octet-stream\nContent-Disposition: attachment; "
        b'filename="dump.bin"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(data)
        + b"\n--x--\n"
    )
    assert attachment(parse(raw), "dump.bin").data == data


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff\xfe", b"\n\n\n", b"From: <\nMessage-ID: <\n\n", b"Content-Type: ;;;\n\nx"],
    ids=["empty", "binary", "blank", "broken-headers", "broken-content-type"],
)
def test_degenerate_input_never_raises(raw: bytes) -> None:
    mail = parse(raw)
    assert mail.dedupe_key.startswith(("<", "sha256:")) and isinstance(mail.text, str)


def test_random_mutations_of_the_corpus_never_raise() -> None:
    rng = random.Random(20240514)
    corpus = mutations.samples()
    for _ in range(300):
        mail = parse(mutations.mutate(rng, rng.choice(corpus)))
        assert mail.dedupe_key and "\x00" not in mail.text
