"""parse(): parts over the size limit are listed, not decoded, and memory stays flat."""

from __future__ import annotations

import base64
import random
import tracemalloc
from email import message_from_bytes, policy
from email.message import EmailMessage

from pytest import approx

from helpdesk.config import DEFAULTS
from mail_gateway.oversized import MB
from mail_gateway.parse import MAX_PART_BYTES, MAX_TEXT_CHARS, parse
from mail_gateway.parsed_mail import ParsedMail

TEXT = "Hello,\n\nthe scanner sends this file; the attachment shows the error.\n"


def mail_with(*files: tuple[str, bytes], text: str = TEXT) -> bytes:
    """A text mail with attachments, as a mail client writes it (base64, 76-column lines)."""
    message = EmailMessage()
    message["From"] = "Ann Example <ann@example.org>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = "Scanner broken"
    message["Message-ID"] = "<big-1@example.org>"
    message.set_content(text)
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def noise(size: int, seed: int = 1) -> bytes:
    """Bytes that do not compress, as a scan or an archive."""
    return random.Random(seed).randbytes(size)


def names_and_sizes(mail: ParsedMail) -> list[tuple[str, int, int]]:
    """(file name, bytes decoded, omitted size) of each attachment."""
    return [(a.filename, len(a.data), a.omitted_size) for a in mail.attachments]


def test_without_an_app_the_limit_is_the_built_in_upload_limit() -> None:
    assert DEFAULTS["MAX_UPLOAD_MB"] * MB == MAX_PART_BYTES


def test_an_attachment_over_the_limit_is_listed_as_omitted_with_the_text_intact() -> None:
    small = noise(1000, seed=2)
    raw = mail_with(("scan.bin", noise(3 * MB)), ("small.bin", small))
    mail = parse(raw, max_part_bytes=MB)
    assert mail.raw == raw  # the original, kept by ingest, still holds the file
    assert mail.text == TEXT and mail.subject == "Scanner broken"
    assert names_and_sizes(mail) == [("scan.bin", 0, 3 * MB), ("small.bin", 1000, 0)]
    assert mail.attachments[1].data == small
    assert mail.defects == [
        "Attachment scan.bin (3.0 MB) is over the 1 MB limit; "
        "it is kept only in the original message."
    ]


def test_without_a_limit_every_part_is_decoded() -> None:
    data = noise(3 * MB)
    mail = parse(mail_with(("scan.bin", data)), max_part_bytes=None)
    assert mail.attachments[0].data == data and mail.defects == []


def test_cutting_a_part_changes_nothing_else_of_the_mail() -> None:
    raw = mail_with(("a.bin", noise(50_000)), ("big.bin", noise(2 * MB)), ("c.bin", b"c"))
    whole, cut = parse(raw, max_part_bytes=None), parse(raw, max_part_bytes=MB)
    assert (cut.text, cut.headers, cut.message_id, cut.to) == (
        whole.text,
        whole.headers,
        whole.message_id,
        whole.to,
    )
    assert [a.data for a in cut.attachments] == [whole.attachments[0].data, b"", b"c"]


def test_crlf_mail_and_a_mail_that_is_all_attachment() -> None:
    raw = mail_with(("scan.bin", noise(2 * MB))).replace(b"\n", b"\r\n")
    assert names_and_sizes(parse(raw, max_part_bytes=MB)) == [("scan.bin", 0, 2 * MB)]
    single = (
        b"From: scanner@example.org\nContent-Type: application/pdf\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(noise(2 * MB))
    )
    mail = parse(single, max_part_bytes=MB)
    assert names_and_sizes(mail) == [("attachment-1.pdf", 0, 2 * MB)]
    assert mail.from_address == "scanner@example.org"


def test_a_forwarded_message_with_a_huge_attachment_is_omitted_as_a_whole() -> None:
    inner = message_from_bytes(mail_with(("scan.bin", noise(2 * MB))), policy=policy.default)
    outer = EmailMessage()
    outer["From"] = "bob@example.org"
    outer["Subject"] = "Fwd: Scanner broken"
    outer.set_content("See the forwarded mail.\n")
    outer.add_attachment(inner, filename="fwd.eml")
    mail = parse(outer.as_bytes(), max_part_bytes=MB)
    assert mail.text == "See the forwarded mail.\n"
    ((name, data, size),) = names_and_sizes(mail)
    assert (name, data) == ("fwd.eml", 0) and size == approx(len(inner.as_bytes()), rel=0.01)
    assert mail.defects[0].startswith("Attachment fwd.eml (2.7 MB) is over the 1 MB limit")


def test_a_huge_text_part_keeps_its_start() -> None:
    line = "Log line with nothing special in it, again and again and again.\n"
    text = line * (3 * MB // len(line))
    message = EmailMessage()
    message["From"] = "ann@example.org"
    message.set_content(text, cte="base64")
    mail = parse(message.as_bytes(), max_part_bytes=MB)
    assert mail.text == text[:MAX_TEXT_CHARS] and mail.attachments == []
    assert any("A text/plain part (3.0 MB) is over the 1 MB limit" in d for d in mail.defects)


def test_encoded_data_outside_any_part_is_reported() -> None:
    preamble = base64.encodebytes(noise(2 * MB))
    raw = (
        b"From: ann@example.org\nContent-Type: multipart/mixed; boundary=b\n\n"
        + preamble
        + b"--b\nContent-Type: text/plain\n\nThe text.\n--b--\n"
    )
    mail = parse(raw, max_part_bytes=MB)
    assert mail.text == "The text."
    assert mail.defects == [
        "Encoded data (2.0 MB) is over the 1 MB limit; "
        "it was not read and is kept only in the original message."
    ]


def test_parsing_a_25_mb_attachment_takes_less_memory_than_the_mail_itself() -> None:
    raw = mail_with(("scan.bin", noise(25 * MB)))
    tracemalloc.start()
    try:
        mail = parse(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert names_and_sizes(mail) == [("scan.bin", 0, 25 * MB)]
    assert mail.defects == [
        "Attachment scan.bin (25.0 MB) is over the 10 MB limit; "
        "it is kept only in the original message."
    ]
    assert peak < len(raw)  # decoding it took over 7 times the mail's size
