"""What counts as an email address: one rule for accounts, forms, the mail gateway and the API.

An address is a local part without spaces, control characters or specials, an @, and a
host name (labels of letters, digits, hyphens and underscores, in any script) or a
[domain literal], at most 254 characters in all. Special-use domains such as corp.local,
example.test, .internal, .lan, .home.arpa and .localhost are addresses like any other:
intranet helpdesks live at them. That is why this is our own rule rather than
email-validator's, which refuses special-use domains even with its deliverability checks
off, so that people the gateway had given accounts could never sign in.
"""

from __future__ import annotations

import re

MAX_LENGTH = 254  # RFC 5321's limit on a forward path, less its angle brackets
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_LOCAL = rf"[^\s{_CONTROLS}<>(),;:\"\[\]@]+"
_HOST = r"[\w-]+(?:\.[\w-]+)*\.?"
_LITERAL = rf"\[[^\s{_CONTROLS}\[\]\\]+\]"
_ADDRESS = re.compile(rf"{_LOCAL}@(?:{_HOST}|{_LITERAL})")


class InvalidAddress(ValueError):
    """The text is not an email address; the message says why, for the person who typed it."""


def canonical(raw: str | None) -> str:
    """The form addresses are stored and compared in: no surrounding space, lower case."""
    return (raw or "").strip().lower()


def is_address(value: str) -> bool:
    """Whether `value`, exactly as given, is an address under the rule above."""
    return len(value) <= MAX_LENGTH and _ADDRESS.fullmatch(value) is not None


def normalise_address(raw: str | None) -> str:
    """The canonical form of a typed address, or InvalidAddress saying what is wrong."""
    address = canonical(raw)
    if not address:
        raise InvalidAddress("Enter an email address.")
    if len(address) > MAX_LENGTH:
        raise InvalidAddress(f"An email address has at most {MAX_LENGTH} characters.")
    if not is_address(address):
        raise InvalidAddress(
            "Enter a valid email address. It is a name, an @ and a host name, "
            "like ann@example.org or ann@corp.local."
        )
    return address
