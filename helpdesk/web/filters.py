"""Jinja filters and globals for display: relative times, badges and labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from markupsafe import Markup, escape

from helpdesk.incidents import RESOLUTION_CODES
from helpdesk.lifecycle import HOLD_REASONS, STATUS_LABELS
from helpdesk.models import utcnow
from helpdesk.priority import priority_label

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


def timeago(moment: datetime | None) -> Markup:
    """Render a <time> with relative text and the exact UTC time on hover."""
    if moment is None:
        return Markup("&mdash;")
    exact = moment.strftime("%Y-%m-%d %H:%M UTC")
    return Markup(
        f'<time datetime="{moment.isoformat()}Z" title="{exact}">'
        f"{escape(relative(moment, utcnow()))}</time>"
    )


def status_badge(status: str) -> Markup:
    """A coloured badge for an incident status."""
    label = STATUS_LABELS.get(status, status)
    return Markup(f'<span class="badge status-{escape(status)}">{escape(label)}</span>')


def priority_badge(priority: int) -> Markup:
    """A coloured badge for a priority, e.g. 'P1 critical'."""
    return Markup(
        f'<span class="badge priority-{int(priority)}">{escape(priority_label(priority))}</span>'
    )


def filesize(size: int) -> str:
    """Human-readable byte count."""
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


def init_app(app: Flask) -> None:
    """Register the filters and the label tables templates use."""
    app.jinja_env.filters.update(
        timeago=timeago, status_badge=status_badge, priority_badge=priority_badge, filesize=filesize
    )
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        HOLD_REASONS=HOLD_REASONS,
        RESOLUTION_CODES=RESOLUTION_CODES,
        priority_label=priority_label,
    )
