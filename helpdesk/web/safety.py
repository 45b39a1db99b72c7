"""Request safety: only same-site relative paths are followed after login, and no URL with
a control character in it reaches a view."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, request

from helpdesk.core.validation import CONTROL_CHARACTERS


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a local path like /my/incidents, else None.

    Rejects absolute URLs, scheme-relative //host paths and backslash tricks that some
    browsers read as a host.
    """
    if not target:
        return None
    if "\\" in target or any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def refuse_control_characters() -> None:
    """Answer 400 Bad Request to a URL with a control character in its path, or in a query
    value (where tabs and line ends may come from a text box, as the portal's suggestions
    send the description typed so far).

    No page or search needs one, and a NUL would reach the database, which PostgreSQL
    refuses with an error (a 500) where SQLite simply finds nothing.
    """
    values = (value for _, value in request.args.items(multi=True))
    if not request.path.isprintable() or any(CONTROL_CHARACTERS.search(v) for v in values):
        abort(400)


def refuse_nameless_form_parts() -> None:
    """Answer 400 Bad Request to a multipart body with a part that has no name (RFC 7578
    says each has one): no form reads it, and its missing name would reach the error
    answers that list a request's fields, and break them."""
    if request.mimetype != "multipart/form-data":
        return
    names = [*request.form.keys(), *request.files.keys()]
    if any(name is None for name in names):
        abort(400, "Every part of a multipart/form-data body needs a name.")
