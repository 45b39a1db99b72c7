"""Raw 8-bit headers (no RFC 2047 or 2231) in legacy charsets, and file names cut to fit:
read as the text they are, never U+FFFD where the bytes are valid in some charset."""

# Curly quotes and Cyrillic letters are the point of these tests.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Incident, Message
from mail_gateway.ingest import ingest
from mail_gateway.parse import parse
from mail_gateway.parsed_mail import ParsedMail
from tests.mail import mutations

CORPUS = Path(__file__).parent / "mail_corpus" / "raw8bit"
FILES = sorted(CORPUS.glob("*.eml"))


def load(name: str) -> ParsedMail:
    """Parse one mail of the raw 8-bit corpus."""
    return parse((CORPUS / name).read_bytes())


def names(mail: ParsedMail) -> list[str]:
    """The file names of a mail's attachments, in order."""
    return [item.filename for item in mail.attachments]


def test_corpus_is_documented() -> None:
    readme = (CORPUS / "README.md").read_text()
    assert len(FILES) >= 12
    assert [path.name for path in FILES if path.name not in readme] == []


@pytest.mark.parametrize(
    ("name", "subject", "sender", "files"),
    [
        (
            "latin1_declared.eml",
            "Réunion à Zürich : problème d'accès",
            "François Lévesque",
            ["Übersicht Lösung.pdf"],
        ),
        (
            "windows1252_declared.eml",
            "“Rechnung” über € 120 – bitte prüfen",
            "Seán O’Brien",
            ["Kosten – “Q3” €.csv"],
        ),
        ("gb2312_declared.eml", "关于三楼打印机的问题", "王小明", ["故障报告 2024年.xlsx"]),
        (
            "koi8r_declared.eml",
            "Принтер на третьем этаже не работает",
            "Иван Петров",
            ["Отчёт за май.docx"],
        ),
        (
            "shift_jis_declared.eml",
            "表示ソフトのエラー（プリンター）",
            "山田 表",
            ["エラー表示（ソフト）.png"],
        ),
        ("part_charset_wins.eml", "Facture jointe", "Zoé Dupont", ["Счёт.txt"]),
    ],
)
def test_raw_headers_are_read_in_the_declared_charset(
    name: str, subject: str, sender: str, files: list[str]
) -> None:
    mail = load(name)
    assert (mail.subject, mail.from_name, names(mail)) == (subject, sender, files)
    assert mail.headers["subject"] == subject
    assert "@example." in mail.from_address


@pytest.mark.parametrize(
    ("name", "subject", "sender", "files"),
    [
        (
            "latin1_undeclared.eml",
            "Problème d'accès à l'imprimante",
            "Hélène Müller",
            ["Capture d'écran.png"],
        ),
        (
            "windows1252_undeclared.eml",
            "Can’t open “Invoice € 120”",
            "Zoë O’Neill",
            ["Invoice “€ 120”.pdf"],
        ),
        ("gb2312_undeclared.eml", "打印机坏了", "李华", ["错误截图.png"]),
        ("koi8r_undeclared.eml", "Не могу войти в почту", "Ольга Смирнова", ["Ошибка входа.png"]),
        ("shift_jis_undeclared.eml", "プリンターが動きません", "佐藤 ソラ", ["見積書.xlsx"]),
    ],
)
def test_undeclared_raw_headers_are_read_in_the_charset_of_the_mail_s_text(
    name: str, subject: str, sender: str, files: list[str]
) -> None:
    mail = load(name)
    assert (mail.subject, mail.from_name, names(mail)) == (subject, sender, files)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_no_replacement_character_where_the_bytes_were_readable(path: Path) -> None:
    mail = parse(path.read_bytes())
    texts = [mail.subject, mail.from_name, mail.text, *names(mail), *mail.defects]
    texts += [f"{name}: {value}" for name, value in mail.headers.items()]
    assert [text for text in texts if "\ufffd" in text] == []
    assert all(text.isprintable() or "\n" in text for text in [*names(mail), mail.subject])


def test_rfc2231_names_cut_by_the_sender_or_to_fit_keep_whole_characters() -> None:
    long_name = "Quartalsbericht Müller & Söhne " + "Überprüfung der Zugänge " * 10 + "2024.pdf"
    kept, *others = names(load("rfc2231_long_cut.eml"))
    assert len(kept) == 200 and kept.endswith(".pdf") and long_name.startswith(kept[:-4])
    assert others == [
        "報告書のまと",  # "…まとめ" cut by the sender after the first two bytes of め
        "Présentation réseau.ppt",
        "故障报告.doc",
        "議事録まと",  # the same cut, raw UTF-8 before the closing quote
        "Cafe\u0301 " * 32 + "Caf.txt",  # not "Cafe" without its accent
    ]


def test_the_parser_never_raises_on_mutations_of_these_mails() -> None:
    rng = random.Random(20240915)
    corpus = [path.read_bytes() for path in FILES]
    for _ in range(150):
        mail = parse(mutations.mutate(rng, rng.choice(corpus)))
        assert mail.dedupe_key and "\x00" not in mail.text
        assert all(char < "\udc80" or char > "\udcff" for char in mail.subject + mail.from_name)


def test_an_incident_from_a_raw_shift_jis_mail_has_its_subject_name_and_file(app) -> None:
    ingest((CORPUS / "shift_jis_declared.eml").read_bytes(), "test")
    incident = db.session.scalars(select(Incident)).one()
    assert incident.subject == "表示ソフトのエラー（プリンター）"
    assert incident.requester.name == "山田 表"
    (attachment,) = db.session.scalars(select(Message)).one().attachments
    assert attachment.filename == "エラー表示（ソフト）.png"
