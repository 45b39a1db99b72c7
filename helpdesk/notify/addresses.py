"""Addresses as mail may carry them: ASCII, with international domains in their xn-- form.

The helpdesk sends plain RFC 5322 mail, not SMTPUTF8 (RFC 6531), which many relays still
refuse. A domain like bücher.example has an ASCII spelling (IDNA) that every server
accepts; a mailbox name like jörg@ has none, so such an address cannot be mailed at all:
the account works on the portal, and notices to it are skipped (see audience.py).
"""

from __future__ import annotations


def ascii_address(address: str) -> str | None:
    """The address with its domain in ASCII (IDNA); None when it cannot be written in ASCII."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not local.isascii():
        return None
    if domain.isascii():
        return f"{local}@{domain}"
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return None
