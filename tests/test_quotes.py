"""strip_quoted(): only the new part of a reply, never nothing, inline replies intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail_gateway.parse import parse
from mail_gateway.quotes import strip_quoted

CORPUS = Path(__file__).parent / "mail_corpus"


@pytest.mark.parametrize(
    ("name", "new_part"),
    [
        ("reply_gmail_quoted.eml", "Thanks, the new toner fixed it."),
        ("reply_gmail_wrapped_attribution.eml", "It is broken again, same blank pages."),
        (
            "reply_outlook_original_message.eml",
            "The new client version 6.2 works, thank you!\n\nTom",
        ),
        ("reply_outlook_from_sent.eml", "It dropped again at 09:12 today."),
        (
            "reply_outlook_german.eml",
            "Guten Morgen,\n\ndas Gerät startet jetzt wieder. Vielen Dank!\n\n"
            "Mit freundlichen Grüßen\nSabine Müller",
        ),
        ("reply_french.eml", "Merci, ça fonctionne à nouveau."),
        (
            "reply_german_thunderbird.eml",
            "Hallo,\n\nnach dem Neustart des Telefons geht es wieder. "
            "Danke für die schnelle Hilfe!",
        ),
        ("reply_spanish.eml", "Ya puedo entrar, gracias."),
        ("reply_mobile_signature.eml", "Works again after removing and re-adding the account."),
        ("reply_signature_dashes.eml", "The monitor arrived, all good."),
        (
            "android_gmail_plain.eml",
            "My phone does not connect to the office Wi-Fi since the password change.",
        ),
    ],
)
def test_corpus_replies_keep_only_the_new_part(name: str, new_part: str) -> None:
    text = parse((CORPUS / name).read_bytes()).text
    assert strip_quoted(text) == new_part


def test_inline_reply_from_the_corpus_keeps_answers_and_questions() -> None:
    stripped = strip_quoted(parse((CORPUS / "reply_inline.eml").read_bytes()).text)
    assert "> Which server is affected?\n\nFS-02, the file server in Building B." in stripped
    assert "> Since when do you see the warning?\n\nSince Wednesday evening." in stripped


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, 14 May 2024 at 10:03, Desk <s@example.com> wrote:",
        "On 14 May 2024, at 10:03, Desk <s@example.com> wrote:",
        "Am 14.05.2024 um 10:03 schrieb Desk <s@example.com>:",
        "Le mar. 14 mai 2024 à 10:03, Desk <s@example.com> a écrit :",
        "El mar, 14 may 2024 a las 10:03, Desk (<s@example.com>) escribió:",
        "Op di 14 mei 2024 om 10:03 schreef Desk <s@example.com>:",
    ],
)
def test_localized_attributions_cut_the_quote(attribution: str) -> None:
    assert strip_quoted(f"New text.\n\n{attribution}\n> old text\n> more") == "New text."


def test_attribution_wrapped_over_three_lines() -> None:
    text = (
        "Fine now.\n\nOn Tue, May 14, 2024 at 10:03 AM Very Long\n"
        "Name Of The Service Desk <\ns@example.com> wrote:\n> old"
    )
    assert strip_quoted(text) == "Fine now."


def test_outlook_header_block_without_rule() -> None:
    text = (
        "Done.\n\nFrom: Desk <s@example.com>\nSent: Tuesday, May 14, 2024 10:03\n"
        "To: Me\nSubject: RE: x\n\nold"
    )
    assert strip_quoted(text) == "Done."


def test_bottom_posting_drops_the_leading_quote() -> None:
    text = (
        "On Tue, 14 May 2024, Desk <s@example.com> wrote:\n> Which printer?\n\nThe one on floor 3."
    )
    assert strip_quoted(text) == "The one on floor 3."


def test_trailing_quote_without_attribution_is_dropped() -> None:
    assert strip_quoted("Yes, please.\n\n> Shall we replace it?\n> Desk") == "Yes, please."


def test_interleaved_quotes_stay_intact() -> None:
    text = "Answers below.\n> Which printer?\nFloor 3.\n> Since when?\nMonday."
    assert strip_quoted(text) == text


def test_everything_quoted_returns_the_original() -> None:
    text = "> only a quote\n> nothing new"
    assert strip_quoted(text) == text
    assert strip_quoted("-- \nJust a signature") == "-- \nJust a signature"


def test_empty_and_plain_text_pass_through() -> None:
    assert strip_quoted("") == ""
    assert strip_quoted("Just one line.") == "Just one line."


def test_a_person_quoting_in_prose_is_not_cut() -> None:
    text = "Here is what the vendor wrote:\nPlease reboot the printer.\n\nDid that, no change."
    assert strip_quoted(text) == text


def test_loose_attribution_counts_when_a_quote_follows() -> None:
    assert strip_quoted("Fine.\n\nJane Doe <jane@example.com> wrote:\n> original") == "Fine."


def test_forwarded_message_in_a_reply_is_kept() -> None:
    stripped = strip_quoted(parse((CORPUS / "forwarded_bounce_by_user.eml").read_bytes()).text)
    assert "---------- Forwarded message ---------" in stripped
    assert "client host blocked using Spamhaus" in stripped


@pytest.mark.parametrize(
    "footer",
    [
        "Sent from my iPhone",
        "Von meinem iPhone gesendet",
        "Get Outlook for Android",
        "Envoyé de mon iPad",
    ],
)
def test_mobile_footers_are_cut(footer: str) -> None:
    assert strip_quoted(f"Thanks!\n\n{footer}\n") == "Thanks!"


def test_windows_line_endings() -> None:
    assert strip_quoted("New.\r\n\r\n-----Original Message-----\r\nFrom: x\r\n") == "New."


def test_a_sentence_starting_like_a_footer_is_kept() -> None:
    text = "Sent from my laptop, the report fails with error 5 every time I try it.\n\nThanks"
    assert strip_quoted(text) == text
