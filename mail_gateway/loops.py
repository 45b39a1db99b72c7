"""Mail that must not start a conversation: bounces, auto-replies, bulk mail, our own mail.

Pure functions of a ParsedMail. classify() names the kind; the policy functions below say
what the gateway may do with each kind, so that no kind can make the helpdesk and another
robot answer each other forever (RFC 3834):

| kind          | new incident | acknowledgement | threaded into an incident     |
|---------------|--------------|-----------------|-------------------------------|
| normal        | yes          | yes             | public reply                  |
| system_sender | yes          | no              | internal note                 |
| bulk          | yes          | no              | internal note                 |
| auto_reply    | no           | no              | internal note                 |
| bounce        | no           | no              | internal note (+ mark address)|
| own           | no           | no              | nothing: only recorded        |

Every kind is still recorded as received, so nothing is lost and a re-fetch is recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from mail_gateway.bounces import is_bounce_by_sender
from mail_gateway.decode import EMAILISH
from mail_gateway.parsed_mail import ParsedMail

_SYSTEM_LOCAL_PART = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_]?daemon|mail-daemon|postmaster)"
    r"([-_.+].*)?$"
)


class MailKind(StrEnum):
    """What kind of sender a mail comes from, as far as loops are concerned."""

    BOUNCE = "bounce"
    OWN = "own"
    AUTO_REPLY = "auto_reply"
    BULK = "bulk"
    SYSTEM_SENDER = "system_sender"
    NORMAL = "normal"


def classify(mail: ParsedMail, own_addresses: Iterable[str]) -> MailKind:
    """Name the kind of a mail; the first that applies wins, in the order of MailKind."""
    own = {address.strip().lower() for address in own_addresses if address.strip()}
    if mail.report is not None or is_bounce_by_sender(mail):
        return MailKind.BOUNCE
    if mail.from_address.lower() in own or _looped(mail.headers.get("x-loop", ""), own):
        return MailKind.OWN
    if is_auto_reply(mail.headers):
        return MailKind.AUTO_REPLY
    if is_bulk(mail.headers):
        return MailKind.BULK
    if is_system_sender(mail.from_address):
        return MailKind.SYSTEM_SENDER
    return MailKind.NORMAL


def may_acknowledge(kind: MailKind) -> bool:
    """Only a person's mail gets an automatic answer; anything else could answer back."""
    return kind is MailKind.NORMAL


def creates_incident(kind: MailKind) -> bool:
    """Unthreaded mail opens an incident for people, alerts (noreply) and list mail only.

    Bulk and noreply mail may be a real report (a monitoring alert, a vendor notice), so it
    is kept as an incident without an acknowledgement. An auto-reply or a bounce that matches
    no incident says nothing anyone needs to act on, and our own mail never starts one.
    """
    return kind in (MailKind.NORMAL, MailKind.SYSTEM_SENDER, MailKind.BULK)


def threads_as_note(kind: MailKind) -> bool:
    """Machine-written mail matched to an incident is an internal note, never a reply.

    So an out-of-office answer neither reaches the requester nor reopens a resolved
    incident, and a bounce sits next to the message that failed.
    """
    return kind in (
        MailKind.BOUNCE,
        MailKind.AUTO_REPLY,
        MailKind.BULK,
        MailKind.SYSTEM_SENDER,
    )


def is_ignored(kind: MailKind) -> bool:
    """Our own mail coming back in is recorded as received and otherwise left alone."""
    return kind is MailKind.OWN


def is_auto_reply(headers: dict[str, str]) -> bool:
    """RFC 3834 Auto-Submitted and the common vendor headers; X-Auto-Response-Suppress is not.

    Outlook puts X-Auto-Response-Suppress on ordinary mail (it asks *others* not to
    auto-reply), and subjects like "Out of office" are left out because people write them.
    """
    submitted = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return True
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in headers and headers[name].strip().lower() not in ("no", "false", "0"):
            return True
    return headers.get("precedence", "").strip().lower() == "auto_reply"


def is_bulk(headers: dict[str, str]) -> bool:
    """Mailing lists and newsletters: Precedence bulk/junk/list, List-Id, List-Unsubscribe."""
    if headers.get("precedence", "").strip().lower() in ("bulk", "junk", "list"):
        return True
    return "list-id" in headers or "list-unsubscribe" in headers


def is_system_sender(address: str) -> bool:
    """Addresses nobody reads: noreply, do-not-reply, mailer-daemon, postmaster."""
    local_part = address.lower().rpartition("@")[0] or address.lower()
    return bool(_SYSTEM_LOCAL_PART.match(local_part))


def _looped(x_loop: str, own: set[str]) -> bool:
    """Whether an X-Loop header names one of our addresses (our outbound mail sets it)."""
    return any(address.lower() in own for address in EMAILISH.findall(x_loop))
