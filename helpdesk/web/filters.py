"""Jinja filters and globals for display: relative and exact times in the viewer's own time
zone, time left on an SLA target, badges, labels and links in message text.

Instants are stored as naive UTC. Every time shown is converted here, at the edge, to the
viewer's zone (their account's setting, else the instance's, UTC) with the zone's
abbreviation, so two people a world apart each read the same instant on their own clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, tzinfo
from urllib.parse import urlsplit

from flask import Flask, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from helpdesk.access import can_view_incident
from helpdesk.channels import in_words
from helpdesk.core.settings import settings
from helpdesk.core.zones import exact_time, zone_named
from helpdesk.extensions import db
from helpdesk.lifecycle import HOLD_REASONS, RESOLUTION_CODES, STATUS_LABELS
from helpdesk.models import Incident, utcnow
from helpdesk.priority import priority_label
from helpdesk.reads.queues import TimeLeft
from helpdesk.references import spell_reference

UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def relative(moment: datetime, now: datetime) -> str:
    """Say how long ago (or from now) a moment is, in the largest whole unit."""
    seconds = int((now - moment).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now" if not future else "in under a minute"
    for unit, size in UNITS:
        if seconds >= size:
            count = seconds // size
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def viewer_zone() -> tzinfo:
    """The signed-in person's zone, else the instance's."""
    chosen = current_user.timezone if current_user and current_user.is_authenticated else None
    return zone_named(chosen)


def _time_tag(moment: datetime, text: str, title: str) -> Markup:
    return Markup('<time datetime="{}Z" title="{}">{}</time>').format(
        moment.isoformat(), title, text
    )


def timeago(moment: datetime | None) -> Markup:
    """Render a <time> with relative text and the exact time, in the viewer's zone, on hover."""
    if moment is None:
        return Markup("&mdash;")
    return _time_tag(moment, relative(moment, utcnow()), exact_time(moment, viewer_zone()))


def localtime(moment: datetime | None, zone: str | None = None) -> Markup:
    """Render a <time> with the exact time in the viewer's zone (or the named one, e.g. a
    calendar's) and how long ago it was on hover."""
    if moment is None:
        return Markup("&mdash;")
    where = zone_named(zone) if zone else viewer_zone()
    return _time_tag(moment, exact_time(moment, where), relative(moment, utcnow()))


def span(amount: timedelta, days: bool = True) -> str:
    """A length of time in its two largest units, e.g. 2h 10m, 1d 3h, 45m (sign ignored);
    without `days` in hours and minutes, as business time reads best (40h, not 1d 16h)."""
    minutes = int(abs(amount).total_seconds()) // 60
    if minutes == 0:
        return "under 1m"
    whole_days, minutes = divmod(minutes, 24 * 60) if days else (0, minutes)
    hours, minutes = divmod(minutes, 60)
    parts = [(whole_days, "d"), (hours, "h"), (minutes, "m")]
    while parts[0][0] == 0:
        parts.pop(0)
    return " ".join(f"{count}{unit}" for count, unit in parts[:2] if count)


def time_left_text(standing: TimeLeft) -> str:
    """What a queue row says about its target due first, in words as well as colour, e.g.
    "Warning: 45m left (response)" or "Overdue by 2h 10m (resolution)"."""
    if standing.state == "breached":
        return f"Overdue by {span(standing.left)} ({standing.target})"
    warned = "Warning: " if standing.state == "warned" else ""
    return f"{warned}{span(standing.left)} left ({standing.target})"


def status_badge(status: str) -> Markup:
    """A coloured badge for an incident status."""
    label = STATUS_LABELS.get(status, status)
    return Markup(f'<span class="badge status-{escape(status)}">{escape(label)}</span>')


def priority_badge(priority: int) -> Markup:
    """A coloured badge for a priority, e.g. 'P1 critical'."""
    return Markup(
        f'<span class="badge priority-{int(priority)}">{escape(priority_label(priority))}</span>'
    )


def filesize(size: float) -> str:
    """Human-readable byte count."""
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


# A web address runs to the first space, angle bracket, quote or backtick: none of them
# can end up inside the href, whatever the message says.
_URL = r"\bhttps?://[^\s<>\"'`]+"
# Punctuation that ends a sentence rather than the address ("see https://x.test/a.").
_TRAILING = ".,;:!?*_~"
_CLOSING = {")": "(", "]": "[", "}": "{"}
_LINK_REL = "noopener noreferrer nofollow"


def _reference_pattern(prefix: str) -> re.Pattern[str]:
    """Web addresses, and references like INC-000123 standing as a word of their own."""
    reference = rf"(?<![\w-]){re.escape(prefix)}-\d{{1,12}}(?![\w-])"
    return re.compile(rf"(?P<url>{_URL})|(?P<ref>{reference})", re.IGNORECASE)


def _split_url(found: str) -> tuple[str, str]:
    """Cut sentence punctuation, and closing brackets the address did not open, off its end."""
    end = len(found)
    while end:
        last = found[end - 1]
        opener = _CLOSING.get(last)
        if last not in _TRAILING and (
            opener is None or found.count(opener, 0, end) >= found.count(last, 0, end)
        ):
            break
        end -= 1
    return found[:end], found[end:]


def reference_key(prefix: str, text: str) -> str:
    """The canonical spelling of a reference found in text (inc-123 -> INC-000123)."""
    return spell_reference(prefix, int(text.rsplit("-", 1)[1]))


def linkify_text(text: str, prefix: str, incident_url: Callable[[str], str | None]) -> Markup:
    """Escape message text, and turn its http(s) addresses and the references that
    `incident_url` knows (by canonical spelling) into links.

    The text is cut into pieces before anything is escaped and every piece, href included,
    is escaped on its own: no character of the message reaches the page unescaped, and an
    address can only be http or https (no javascript: or data:).
    """
    parts: list[str] = []
    position = 0
    for match in _reference_pattern(prefix).finditer(text):
        parts.append(escape(text[position : match.start()]))
        position = match.end()
        if match.group("url"):
            address, rest = _split_url(match.group("url"))
            if urlsplit(address).hostname:
                parts.append(Markup('<a href="{0}" rel="{1}">{0}</a>').format(address, _LINK_REL))
            else:
                parts.append(escape(address))
            parts.append(escape(rest))
            continue
        found = match.group("ref")
        target = incident_url(reference_key(prefix, found))
        if target is None:
            parts.append(escape(found))
        else:
            parts.append(Markup('<a class="ref" href="{}">{}</a>').format(target, found))
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _incident_links(references: Iterable[str]) -> dict[str, str]:
    """Where each named incident the viewer may see is shown to them: the console for
    agents, the portal for the people on it; other references stay text."""
    wanted = set(references)
    if not wanted or not current_user.is_authenticated:
        return {}
    found = db.session.scalars(select(Incident).where(Incident.reference.in_(wanted)))
    endpoint = "agent.incident" if current_user.is_agent else "portal.incident"
    return {
        reference: url_for(endpoint, reference=reference)
        for incident in found
        if (reference := incident.reference) and can_view_incident(current_user, incident)
    }


def linkify(text: str | None) -> Markup:
    """The message-text filter: escaped text with web addresses and visible incidents linked."""
    text = text or ""
    prefix = settings().site.reference_prefix
    named = (m.group("ref") for m in _reference_pattern(prefix).finditer(text) if m.group("ref"))
    links = _incident_links(reference_key(prefix, found) for found in named)
    return linkify_text(text, prefix, links.get)


def init_app(app: Flask) -> None:
    """Register the filters and the label tables templates use."""
    app.jinja_env.filters.update(
        timeago=timeago,
        localtime=localtime,
        span=span,
        time_left_text=time_left_text,
        status_badge=status_badge,
        priority_badge=priority_badge,
        filesize=filesize,
        linkify=linkify,
        channel_in_words=in_words,
    )
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        HOLD_REASONS=HOLD_REASONS,
        RESOLUTION_CODES=RESOLUTION_CODES,
        priority_label=priority_label,
    )
