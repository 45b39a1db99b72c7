"""Where a webhook may be posted: an http(s) URL whose host is on the public internet.

A helpdesk that posts wherever an admin points it could be made to reach the machines
behind its own firewall (a cloud's metadata service, an internal admin page): a
server-side request forgery. So a URL is refused when any address its host resolves to
is private, loopback, link-local, reserved, multicast or unspecified, unless the setting
WEBHOOK_ALLOW_PRIVATE_DESTINATIONS allows them (a receiver on the desk's own network; the
tests' receiver on 127.0.0.1).

The check runs when a subscription is saved, for a clear message, and again on every
delivery, because DNS may change after saving. At delivery it is made on the address the
connection actually reached (`guarded_connection`), not on a second lookup: a host that
answers a public address to the check and a private one to the connection (DNS
rebinding) is still refused.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from helpdesk.core.errors import InvalidInput

URL_MAX = 2000
SCHEMES = ("http", "https")
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenDestination(OSError):
    """The host resolved to an address webhooks may not reach (an OSError, so a delivery
    records it as it records any other failure to connect)."""


def check_url(url: str) -> str:
    """The URL stripped, or InvalidInput saying what is wrong with it (the form of the URL
    only; `check_destination` checks where it leads)."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput("Enter the URL to post to.")
    if len(url) > URL_MAX:
        raise InvalidInput(f"The URL is too long (at most {URL_MAX} characters).")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidInput(f"That URL cannot be read: {error}.") from error
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidInput("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise InvalidInput("The URL needs a host name, e.g. https://hooks.example.org/helpdesk.")
    if parts.username or parts.password:
        raise InvalidInput("Put no user name or password in the URL; the secret signs each call.")
    if port == 0:
        raise InvalidInput("The URL's port must be between 1 and 65535.")
    if any(ch.isspace() for ch in url):
        raise InvalidInput("The URL must not contain spaces.")
    return url


def is_forbidden(address: IpAddress) -> bool:
    """Whether an address is off limits without WEBHOOK_ALLOW_PRIVATE_DESTINATIONS (an
    IPv4 address mapped into IPv6 is judged as the IPv4 address it carries)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def _address(text: str) -> IpAddress:
    """An address as getaddrinfo or getpeername gives it (an IPv6 one may carry a %zone)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def check_destination(url: str, allow_private: bool) -> None:
    """Resolve the URL's host and refuse it (InvalidInput) when it cannot be resolved or
    any of its addresses is forbidden, unless private destinations are allowed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise InvalidInput(f"The host {host} cannot be found ({error}).") from error
    if allow_private:
        return
    for *_, sockaddr in found:
        address = _address(str(sockaddr[0]))
        if is_forbidden(address):
            raise InvalidInput(
                f"{host} leads to {address}, a private or reserved address; webhooks go only "
                "to public addresses unless WEBHOOK_ALLOW_PRIVATE_DESTINATIONS allows them."
            )


def guarded_connection(allow_private: bool) -> Callable[..., socket.socket]:
    """A replacement for socket.create_connection that refuses (ForbiddenDestination) a
    connection whose peer is a forbidden address, before a byte of the request is sent."""

    def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(address, *args, **kwargs)
        if allow_private:
            return sock
        peer = _address(str(sock.getpeername()[0]))
        if is_forbidden(peer):
            sock.close()
            raise ForbiddenDestination(
                f"{address[0]} now leads to {peer}, a private or reserved address"
            )
        return sock

    return connect
