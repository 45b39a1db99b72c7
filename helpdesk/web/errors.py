"""Error pages: 403, 404, 413, 429 and 500 rendered in the site layout."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from helpdesk.api import problems

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action is not possible here."),
    413: ("Too large", "The upload is larger than this helpdesk accepts."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong", "The error has been logged. Please try again in a moment."),
}


def render_error(error: HTTPException) -> tuple[str, int] | Response:
    """Render any HTTP error with a friendly title and explanation (for the API, which has
    no pages: problem details, as its own views' errors)."""
    if request.path.startswith("/api/"):
        return problems.from_http_error(error)
    code = error.code or 500
    title, text = MESSAGES.get(code, (error.name, error.description or ""))
    return render_template("errors/error.html", code=code, title=title, text=text), code


def init_app(app: Flask) -> None:
    """Register the handler; Flask hands unexpected exceptions to it as a 500 after logging
    them (and re-raises them under TESTING, so tests see the real traceback)."""
    app.register_error_handler(HTTPException, render_error)
