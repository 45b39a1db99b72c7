"""Errors as RFC 9457 problem details (`application/problem+json`), each with a stable
`code` a program can switch on, whatever went wrong: a refused token, a request the schema
refuses, a change the service layer refuses, an unknown URL, too many requests.

The service layer's errors map one to one: InvalidInput is 422 `invalid_input`, NotAllowed
403 `not_allowed`, NotFound 404 `not_found`; the message is the same the web shows.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app
from pydantic import BaseModel, Field
from werkzeug.exceptions import HTTPException

from helpdesk.core.errors import DomainError, InvalidInput, NotAllowed, NotFound

MEDIA_TYPE = "application/problem+json"

# The stable codes of HTTP errors that reach the API's edge.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}
HTTP_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}
DOMAIN_ERRORS: tuple[tuple[type[DomainError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (NotAllowed, 403, "not_allowed"),
    (InvalidInput, 422, "invalid_input"),
    (DomainError, 422, "invalid_input"),
)


class FieldError(BaseModel):
    """One refused field of a request: where it is and why."""

    location: list[str | int] = Field(description="The path to the field, e.g. ['subject'].")
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details with a stable `code`."""

    type: str = Field(
        default="about:blank", description="Always about:blank: `code` says which error."
    )
    title: str = Field(description="A short summary of the kind of error.")
    status: int = Field(description="The HTTP status code.")
    code: str = Field(description="A stable, machine-readable error code.")
    detail: str | None = Field(default=None, description="What went wrong with this request.")
    errors: list[FieldError] | None = Field(default=None, description="The refused fields, if any.")


# What any operation may answer whatever it does: a malformed request (an unprintable
# character in the URL), no working token, a scope or role that does not reach, too many
# requests. Each operation's own refusals (404, 422) are added where they happen.
REFUSALS: dict[str, type[Problem]] = {f"HTTP_{status}": Problem for status in (400, 401, 403, 429)}


def problem(status: int, code: str, detail: str | None = None, **extra: Any) -> Response:
    """A problem+json response."""
    title = HTTP_TITLES.get(status, "Error")
    body = Problem(title=title, status=status, code=code, detail=detail, **extra)
    return current_app.response_class(
        body.model_dump_json(exclude_none=True), status=status, mimetype=MEDIA_TYPE
    )


def from_domain_error(error: DomainError) -> Response:
    """The service layer's refusal, with its message."""
    status, code = next((s, c) for kind, s, c in DOMAIN_ERRORS if isinstance(error, kind))
    return problem(status, code, str(error))


def from_http_error(error: HTTPException) -> Response:
    """An HTTP error raised by Flask or a view (unknown URL, wrong method, rate limit)."""
    status = error.code or 500
    response = problem(status, HTTP_CODES.get(status, "error"), error.description)
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if error.get_response().headers.get(name):
            response.headers[name] = error.get_response().headers[name]
    return response


def rewrite_invalid_request(
    _request: Any, response: Response | None, error: Exception | None, *_: Any
) -> None:
    """spectree's hook before a view: a request its schema refused gets a problem body
    listing the refused fields (in place of spectree's own list)."""
    if error is None or response is None:
        return
    fields = [
        FieldError(location=[str(part) for part in item.get("loc", ())], message=item["msg"])
        for item in getattr(error, "errors", lambda: [])()
    ]
    body = Problem(
        title=HTTP_TITLES[422],
        status=422,
        code="invalid_request",
        detail="The request does not match the API's schema.",
        errors=fields,
    )
    response.set_data(json.dumps(body.model_dump(exclude_none=True)))
    response.mimetype = MEDIA_TYPE
