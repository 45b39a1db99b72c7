"""How text becomes search terms, shared by the index and the queries so both agree.

Words are split on anything but letters and digits; "Wi-Fi", "e-mail" and "don't" are
indexed as their parts and joined ("wi", "fi", "wifi"), so every spelling finds them.
Accents are folded ("Drücker" = "drucker", "contraseña" = "contrasena"), filler words of
questions are dropped ("how do I ..."), and English words are stemmed ("printers" =
"printer"). Synonyms are expanded at query time only, so the map can change without a
reindex.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

# A word with inner hyphens, apostrophes or dots kept together for CompoundFilter.
TOKEN_PATTERN = r"\w+(?:[-'\u2019.]\w+)*"
PART = re.compile(r"[^\W_]+|\d+")

# Words that carry no meaning in a help search: English, and Spanish, German and French
# question words and articles (people write to a helpdesk in the language they think in).
_ENGLISH_FILLER = """how do does did doing done im ive me my mine what whats why where which who
there their our ours should would could need needs want wants please help hi hello thanks
thank get got getting cant cannot wont dont doesnt didnt isnt its all any some anything
something just still again also very really after before then than but so about into out
up no don doesn didn isn won wasn aren couldn wouldn haven"""
_NEIGHBOUR_FILLER = """como que mi mis el la los las de del por para un una es se wie was ich
mein meine mich kann nicht das der die den ist ein eine und comment je mon ma mes le les ne
pas une est et"""
FILLER_WORDS = frozenset(_ENGLISH_FILLER.split()) | frozenset(_NEIGHBOUR_FILLER.split())
STOP_LIST = frozenset(STOP_WORDS) | FILLER_WORDS


class CompoundFilter(Filter):
    """Emit the parts of "wi-fi" and the joined word, all with the original's position."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Split tokens with inner punctuation; pass plain words through untouched."""
        for token in tokens:
            text = token.text
            if text.isalnum():
                yield token
                continue
            start = token.startchar if token.chars else 0
            parts = list(PART.finditer(text))
            for part in parts:
                token.text = part.group()
                if token.chars:
                    token.startchar, token.endchar = start + part.start(), start + part.end()
                yield token
            token.text = "".join(part.group() for part in parts)
            if token.chars:
                token.startchar, token.endchar = start, start + len(text)
            yield token


def _analyzer(stem: bool) -> Analyzer:
    """Build the shared chain; the unstemmed variant finds the words a person typed."""
    chain = (
        RegexTokenizer(TOKEN_PATTERN)
        | CompoundFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_LIST, minsize=2)
    )
    return chain | StemFilter(cachesize=50_000) if stem else chain


ANALYZER = _analyzer(stem=True)
WORD_ANALYZER = _analyzer(stem=False)

# Groups of words that mean the same thing to someone looking for help.
SYNONYM_GROUPS = (
    ("wifi", "wireless", "wlan"),
    ("mfa", "2fa", "twofactor", "multifactor", "authenticator", "twostep"),
    ("laptop", "notebook"),
    ("printer", "printing", "drucker", "impresora", "imprimante"),
    ("password", "passwort", "kennwort", "contrasena", "passcode", "pwd"),
    ("email", "mail", "correo"),
    ("login", "logon", "signin"),
    ("locked", "lockout"),
    ("monitor", "screen", "display"),
    ("phone", "mobile", "smartphone", "cellphone", "handy"),
    ("headset", "headphones", "earphones"),
    ("webcam", "camera"),
    ("slow", "sluggish", "laggy"),
    ("crash", "freezes", "frozen", "hangs"),
    ("software", "app", "application", "program"),
    ("install", "setup"),
    ("delete", "remove"),
    ("vpn", "globalprotect", "tunnel"),
    ("outofoffice", "autoreply", "vacation"),
    ("payslip", "payroll", "salary"),
    ("phishing", "spam", "scam"),
)


_FOLD = str.maketrans(accent_map)


@lru_cache(maxsize=100_000)
def stemmed(word: str) -> str:
    """The index term of an already analysed (lower-case, folded) word."""
    return porter_stem(word)


@lru_cache(maxsize=100_000)
def term_of(word: str) -> str:
    """The index term of one raw word, as the analyzer would make it (stop words aside)."""
    return stemmed(word.lower().translate(_FOLD))


def stem_of(word: str) -> str | None:
    """Return the single index term a word becomes, or None for filler words."""
    terms = [token.text for token in ANALYZER(word)]
    return terms[-1] if terms else None


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, frozenset[str]]:
    """Map each stemmed term of a synonym group to the other members' stems."""
    table: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        terms = {term for term in map(stem_of, group) if term}
        for term in terms:
            table[term] = frozenset(terms - {term})
    return table


def words(text: str) -> list[str]:
    """The meaningful words of `text`, folded and unstemmed, in order, without repeats."""
    return list(dict.fromkeys(token.text for token in WORD_ANALYZER(text)))
