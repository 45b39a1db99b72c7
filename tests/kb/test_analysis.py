"""Text analysis shared by the index and the queries."""

from __future__ import annotations

from helpdesk.kb.analysis import ANALYZER, stem_of, synonym_table, term_of, words


def terms(text: str) -> list[str]:
    """What the index makes of a text."""
    return [token.text for token in ANALYZER(text)]


def test_hyphenated_words_are_indexed_whole_and_in_parts() -> None:
    assert terms("Wi-Fi e-mail") == ["wi", "fi", "wifi", "mail", "email"]


def test_accents_case_plurals_and_question_words() -> None:
    assert terms("How do I reset my Passwords?") == ["reset", "password"]
    assert terms("¿Cómo cambio mi contraseña?") == ["cambio", "contrasena"]
    assert terms("Drücker im Büro") == ["drucker", "buro"]


def test_words_keep_their_typed_form_once() -> None:
    assert words("Printers printers PRINTING") == ["printers", "printing"]


def test_term_of_agrees_with_the_analyzer() -> None:
    for word in ("Printers", "Büro", "connection", "MFA"):
        assert [term_of(word)] == terms(word)


def test_synonyms_map_stems_both_ways() -> None:
    table = synonym_table()
    assert stem_of("wireless") in table[stem_of("wifi")]
    assert stem_of("laptops") in table[stem_of("notebook")]
    assert stem_of("the") is None
