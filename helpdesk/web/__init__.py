"""The web app: blueprints for auth, portal, agent console and admin, plus shared wiring."""

from __future__ import annotations

from flask import Flask, Response

from helpdesk import accounts
from helpdesk.extensions import login_manager


def init_app(app: Flask) -> None:
    """Register blueprints, error pages, template helpers and security headers."""
    from helpdesk import api
    from helpdesk.web import (
        admin,
        agent,
        attachments,
        auth,
        errors,
        filters,
        kb,
        mailroom,
        main,
        numbers,
        one_click_links,
        portal,
        reports,
        safety,
        status,
    )

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(accounts.user_for_session)

    # Before any route is added: every `<int:...>` takes only ids a row can have.
    app.url_map.converters["int"] = numbers.IdConverter
    blueprints = (
        main,
        auth,
        portal,
        agent,
        admin,
        attachments,
        mailroom,
        one_click_links,
        kb,
        status,
        reports,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
    api.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    app.before_request(safety.refuse_control_characters)
    app.before_request(safety.refuse_nameless_form_parts)
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    """Headers that make the browser refuse framing, sniffing and foreign scripts."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    return response
