"""Error pages: 403, 404, 413, 429 and 500 rendered in the site layout."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from helpdesk.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action is not possible here."),
    413: ("Too large", "The upload is larger than this helpdesk accepts."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong", "The error has been logged. Please try again in a moment."),
}


def render_error(error: HTTPException) -> tuple[str, int]:
    """Render any HTTP error with a friendly title and explanation."""
    code = error.code or 500
    title, text = MESSAGES.get(code, (error.name, error.description or ""))
    return render_template("errors/error.html", code=code, title=title, text=text), code


def render_crash(_error: Exception) -> tuple[str, int]:
    """Roll back whatever the failed request left open and show the 500 page."""
    db.session.rollback()
    title, text = MESSAGES[500]
    return render_template("errors/error.html", code=500, title=title, text=text), 500


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_crash)
