"""Absolute links into the app, for mail and anything else read outside a request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from helpdesk.core.settings import settings


def external_url(endpoint: str, **values: object) -> str:
    """Build an absolute link on the configured BASE_URL, inside or outside a request.

    Built with a URL adapter bound to BASE_URL rather than a fake request context (which
    cost half a millisecond a link, and a mail has several). Never on the request's Host
    header, which the client chooses: a password link could then point anywhere.
    """
    base = urlsplit(settings().site.link_base)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
