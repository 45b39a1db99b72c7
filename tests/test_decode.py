"""decode.py: charsets, encoded words, addresses, message ids and dates, however broken."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mail_gateway import charsets, decode, filenames
from mail_gateway.charsets import decode_text
from mail_gateway.decode import (
    addresses,
    content_id,
    decode_header_value,
    decode_words,
    header_lists,
    header_map,
    message_ids,
    parse_date,
    unsurrogate,
)
from mail_gateway.header_policy import POLICY
from mail_gateway.mime_parts import content_type


def message(raw: bytes):
    """A policy.default message from raw bytes."""
    return BytesParser(policy=policy.default).parsebytes(raw)


@pytest.mark.parametrize(
    ("data", "charset", "text", "problem"),
    [
        (b"plain", None, "plain", None),
        ("café".encode(), "utf-8", "café", None),
        ("café".encode(), "UTF8", "café", None),
        ("café".encode("latin-1"), "iso-8859-1", "café", None),
        (b"\x80 5", "iso-8859-1", "€ 5", None),
        ("日本".encode("shift_jis"), "shift_jis", "日本", None),
        ("Grüße".encode("cp1252"), "us-ascii", "Grüße", "declared us-ascii; decoded as Windows"),
        ("Grüße".encode("cp1252"), "utf-8", "Grüße", "declared utf-8; decoded as Windows-1252"),
        ("Grüße".encode(), "iso-8859-1", "Grüße", "declared iso-8859-1; decoded as UTF-8"),
        ("Grüße".encode(), None, "Grüße", "no charset declared; decoded as UTF-8"),
        ("Grüße".encode(), '"x-klingon"', "Grüße", "unknown charset 'x-klingon'"),
        (b"ok \xc3\xa9 \xff", "utf-8", "ok é \ufffd", "invalid UTF-8 bytes were replaced"),
        (b"abc", "rot13", "abc", "charset 'rot13' unusable"),
        (b"abc", "utf\x00-8", "abc", "unknown charset"),
    ],
)
def test_decode_text(data: bytes, charset: str | None, text: str, problem: str | None) -> None:
    decoded, found = decode_text(data, charset)
    assert decoded == text
    assert found == problem or (problem is not None and found and problem in found)


def test_unsurrogate_repairs_raw_header_bytes() -> None:
    assert unsurrogate("Gr\udcc3\udcbc\udcc3\udc9fe") == "Grüße"
    assert unsurrogate("Gr\udcfc\udcdfe") == "Grüße"
    assert unsurrogate("plain") == "plain"


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("=?iso-8859-1?q?caf=E9?=", "café"),
        ("=?utf-8?b?w6k=?= =?utf-8?q?_ok?=", "é ok"),
        ("=?unknown-x?q?abc?=", "=?unknown-x?q?abc?="),
        ("=?utf-8?q?unterminated", "=?utf-8?q?unterminated"),
        ("no words here", "no words here"),
    ],
)
def test_decode_words_leaves_broken_words_alone(value: str, decoded: str) -> None:
    assert decode_words(value) == decoded


def test_header_map_decodes_and_joins_repeated_headers() -> None:
    raw = b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nX-Loop: a@example.com\nX-Loop: b@example.com\n\n"
    headers = header_map(message(raw))
    assert headers == {"subject": "Grüße", "x-loop": "a@example.com\nb@example.com"}


def test_header_lists_keep_every_value_in_order() -> None:
    raw = (
        b"Authentication-Results: mx.b; spf=pass\nX-A: 1\n"
        b"Authentication-Results: mx.a;\n dkim=fail\n\n"
    )
    headers = header_lists(message(raw))
    assert headers["authentication-results"] == ["mx.b; spf=pass", "mx.a; dkim=fail"]


@pytest.mark.parametrize(
    "raw",
    [
        b"Received: from mx (mx [10.0.0.1])\r\n\tby host; Tue, 14 May 2024 10:03:00 +0000",
        b"X-Odd:   leading and trailing spaces   ",
        b"X-Control: nul\x00 bell\x07 tab\t end",
        b"Subject: =?utf-8?q?caf=C3=A9?= and more",
        b"Subject: raw \xc3\xa9 bytes",
        b"DKIM-Signature: v=1; a=rsa-sha256;\n b=abc\n  def",
        b'From: "Doe, Jane" <Jane@Example.COM>',
        b"Date: Tue, 14 May 2024 10:03:00 +0200",
        b'Content-Type: text/plain;\n charset="utf-8"; format=flowed',
        b"Message-ID:   <a@b>  ",
    ],
)
def test_the_faster_policy_decodes_headers_exactly_as_policy_default(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = BytesParser(policy=POLICY).parsebytes(raw + b"\n\n")
    name, value = next(iter(fast.raw_items()))
    decoded = decode_header_value(fast, name.lower(), value)
    assert str(fast[name]) == str(message(raw + b"\n\n")[name])
    monkeypatch.setattr(decode, "_is_plain", lambda *_: False)  # the full header parser
    assert decoded == decode_header_value(message(raw + b"\n\n"), name.lower(), value)


def test_header_map_survives_headers_policy_default_rejects() -> None:
    headers = header_map(message(b"From: <\nMessage-ID: <<>>\nSubject: \xe9t\xe9\n\n"))
    assert headers == {"from": "<", "message-id": "<<>>", "subject": "été"}


def test_addresses_decode_names_and_lower_case() -> None:
    raw = (
        b'To: =?utf-8?q?M=C3=BCller=2C_Hans?= <Hans@Example.DE>, "Doe, J" <j@x.example>,'
        b" plain@x.example\n\n"
    )
    defects: list[str] = []
    assert addresses(message(raw), "to", defects) == [
        ("Müller, Hans", "hans@example.de"),
        ("Doe, J", "j@x.example"),
        ("", "plain@x.example"),
    ]
    assert defects == []


def test_addresses_fall_back_and_record_what_was_wrong() -> None:
    defects: list[str] = []
    found = addresses(message(b"From: a@, <<Real@Example.com>>\n\n"), "from", defects)
    assert found == [("", "real@example.com")]
    assert defects and defects[0].startswith("From header")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ana <ana@bücher.example>", ["ana@bücher.example"]),
        ("ops@[192.0.2.1]", ["ops@[192.0.2.1]"]),
        ("x@mail_srv.example.com", ["x@mail_srv.example.com"]),
        ("News <news@vendo=r.example>", []),  # not a host name: no account, no mail to it
        ("a@b..example", []),
    ],
)
def test_an_address_needs_a_host_name_after_the_at_sign(value: str, expected: list[str]) -> None:
    found = addresses(message(f"From: {value}\n\n".encode()), "from", [])
    assert [address for _, address in found] == expected


def test_addresses_and_names_never_carry_control_characters() -> None:
    raw = (
        b"From: =?utf-8?q?Ada=00Love=07lace?= <ada@example.org>, News <news@vendo\x04r.example>\n\n"
    )
    # The name loses its NUL and BEL (PostgreSQL refuses NUL in text); an address with a
    # control character in it is no address at all.
    assert addresses(message(raw), "from", []) == [("Ada Love lace", "ada@example.org")]


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("<a@b>", ["<a@b>"]),
        ("a@b", ["<a@b>"]),
        ("<a@b>, <c@d>\n\t<a@b>", ["<a@b>", "<c@d>"]),
        ('Your message of "Tue" <a@b>', ["<a@b>"]),
        ("just junk", []),
        ("", []),
    ],
)
def test_message_ids(value: str, ids: list[str]) -> None:
    assert message_ids(value) == ids


def test_message_id_without_at_is_kept_when_loose() -> None:
    assert message_ids("12345", loose=True) == ["<12345>"]


def test_parse_date() -> None:
    defects: list[str] = []
    assert parse_date("Tue, 14 May 2024 10:03:00 -0000", defects) == datetime(
        2024, 5, 14, 10, 3, tzinfo=UTC
    )
    assert parse_date("", defects) is None and defects == []
    assert parse_date("next tuesday", defects) is None
    assert defects == ["Unreadable Date header: 'next tuesday'"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"Content-Type: Image/SVG+XML", "image/svg+xml"),
        (b"Content-Type: application/vnd.ms-excel; name=a.xls", "application/vnd.ms-excel"),
        (b"Content-Type: text/pl\x00ain", "text/plain"),
        (b"Content-Type: multi\x00part/mixed; boundary=b", "text/plain"),
        (b"Content-Type: text/plailine one with a nul.", "text/plain"),
        (b"Content-Type: /plain", "text/plain"),
        (b"Content-Type: text", "text/plain"),
    ],
)
def test_a_content_type_that_is_not_mime_syntax_reads_as_text_plain(header, expected) -> None:
    # RFC 2045: a syntactically invalid Content-Type means text/plain. A NUL or a space
    # in it reached the database as an attachment's type, and PostgreSQL refused it.
    assert content_type(message(header + b"\n\nbody\n")) == expected


def test_a_content_id_is_text_without_control_characters_or_raw_bytes() -> None:
    raw = b"Content-ID: <img\x001\xe9@example.org>\nContent-Type: image/png\n\nx\n"
    assert content_id(message(raw)) == "img1\ufffd@example.org"


def test_windows_1252_reads_every_byte_as_browsers_do() -> None:
    text = charsets.windows_1252(bytes(range(256)))
    assert len(text) == 256 and "\ufffd" not in text
    assert text[0x80] == "€" and text[0x81] == "\x81" and text[0xE9] == "é"


@pytest.mark.parametrize(
    ("data", "text", "problem"),
    [
        (
            "你好三楼的打印机坏了请帮忙修理。".encode("gb2312"),
            "你好三楼的打印机坏了",
            "GB18030",
        ),
        ("Здравствуйте! Принтер не работает.".encode("koi8-r"), "Здравствуйте!", "KOI8-R"),
        ("3階のプリンターが動きません。".encode("shift_jis"), "3階のプリンター", "Shift_JIS"),
        ("Problème d'accès à l'imprimante".encode("latin-1"), "Problème d'accès", "Windows-1252"),
    ],
)
def test_undeclared_text_in_a_legacy_charset_is_detected(
    data: bytes, text: str, problem: str
) -> None:
    decoded, found = decode_text(data, None)
    assert (
        decoded.startswith(text)
        and found == f"8-bit text with no charset declared; decoded as {problem}"
    )


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        (b"Subject: " + "Grüße aus Zürich".encode("latin-1"), "Grüße aus Zürich"),
        (
            b"Subject: " + "Отчёт".encode("koi8-r") + b"\nContent-Type: text/plain; charset=koi8-r",
            "Отчёт",
        ),
        (
            b"From: "
            + '"山田 表" <t@example.jp>'.encode("cp932")
            + b"\nContent-Type: text/plain; charset=shift_jis",
            "山田 表 <t@example.jp>",
        ),
        (b"Subject: " + "報告書のまとめ".encode()[:-1], "報告書のまと"),
    ],
)
def test_raw_8bit_header_bytes_are_read_in_the_mail_s_charset(raw: bytes, name: str) -> None:
    mail = message(raw + b"\n\nbody\n")
    header = raw.split(b":", 1)[0].decode().lower()
    assert header_map(mail)[header] == name


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("x" * 195 + "e\u0301" * 3 + ".txt", "x" * 195 + ".txt"),
        ("x" * 195 + "👩\u200d💻" + ".txt", "x" * 195 + ".txt"),
        ("x" * 194 + "👍🏽" * 2 + ".txt", "x" * 194 + "👍🏽.txt"),
        ("名前" * 150, "名前" * 100),
        ("report.tar.gz", "report.tar.gz"),
    ],
)
def test_long_file_names_are_cut_between_characters_keeping_the_extension(
    name: str, kept: str
) -> None:
    assert filenames.safe_filename(name) == kept


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80), st.sampled_from(["", "utf-8", "gb2312", "koi8-r", "x-bogus"]))
def test_raw_header_bytes_never_raise_nor_stay_undecoded(data: bytes, charset: str) -> None:
    head = b"Content-Type: text/plain; charset=" + charset.encode() if charset else b"X-A: 1"
    raw = head + b"\nSubject: " + data.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n\nbody\n"
    mail = message(raw)
    subject = header_map(mail).get("subject", "")
    assert not any("\udc80" <= char <= "\udcff" for char in subject)
    text = charsets.HeaderReader(mail).decode(data, charset)
    assert not any("\udc80" <= char <= "\udcff" for char in text)
    assert text == data.decode("ascii") if data.isascii() else text
