"""`Idempotency-Key` on every create (IETF draft "The Idempotency-Key HTTP Header Field"):
a program that did not hear the answer sends the same request again with the same key and
gets the first answer again (with `Idempotent-Replayed: true`), never a second incident.

The create and its stored answer are written in one transaction: the view's service calls
join the unit `transaction()` opens here, and the key's row is added before it commits, so
a create is never kept without its key nor a key without its create. Two requests with one
key at once: the second waits on the first's write (SQLite's lock, PostgreSQL's unique
index), then finds the key taken, rolls back all it did and replays the first answer.

Only successful answers are kept: a refused create changed nothing and may be retried as
it is or corrected. The same key with another request is refused (422), as the draft asks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, current_app, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from helpdesk import idempotency_keys
from helpdesk.api.auth import caller
from helpdesk.api.problems import problem
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY_MAX = 255
View = TypeVar("View", bound=Callable[..., Any])


class IdempotencyHeaders(BaseModel):
    """The headers a create takes."""

    model_config = ConfigDict(populate_by_name=True)

    idempotency_key: str | None = Field(
        default=None,
        alias="Idempotency-Key",  # HEADER, as a literal for the type checker
        min_length=1,
        max_length=KEY_MAX,
        description=(
            "Any unique string (a UUID): the same request sent again with the same key "
            "within 24 hours gets the first answer again instead of creating twice."
        ),
    )


def idempotent(view: View) -> View:
    """Make a create view answer a repeated `Idempotency-Key` with its first answer.
    Place it under `requires(...)` (it needs the caller) and over `spec.validate`."""

    @wraps(view)
    def once(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 0 < len(key) <= KEY_MAX:
            detail = f"An {HEADER} is 1 to {KEY_MAX} characters long."
            return problem(400, "invalid_idempotency_key", detail)
        this_request = idempotency_keys.fingerprint(request.method, request.path, _content())
        earlier = idempotency_keys.stored(caller(), key, utcnow())
        if earlier is not None:
            return _replay(earlier, this_request)
        try:
            return _run_and_keep(view, key, this_request, *args, **kwargs)
        except IntegrityError:
            db.session.rollback()
            taken = idempotency_keys.stored(caller(), key, utcnow())
            if taken is None:
                raise
            return _replay(taken, this_request)

    return cast(View, once)


def _content() -> bytes:
    """What a request sends, for telling two requests apart: the body as it is, except for
    uploads, whose multipart boundary is random on every retry: their fields and files."""
    if request.mimetype != "multipart/form-data":
        return request.get_data(cache=True)
    # A part may come without a name (None), so names are compared as text.
    fields = sorted((str(name), value) for name, value in request.form.items(multi=True))
    files = [
        (str(name), upload.filename or "", _digest(upload))
        for name, upload in request.files.items(multi=True)
    ]
    return json.dumps([fields, files]).encode()


def _digest(upload: FileStorage) -> str:
    """SHA-256 of an uploaded file, which is left to be read again from its start."""
    digest = hashlib.sha256(upload.stream.read()).hexdigest()
    upload.stream.seek(0)
    return digest


def _run_and_keep(view: View, key: str, this_request: str, *args: Any, **kwargs: Any) -> Any:
    """Run the create and, when it succeeded, keep its answer in the same transaction."""
    with transaction():
        response = current_app.make_response(view(*args, **kwargs))
        if 200 <= response.status_code < 300:
            db.session.add(
                IdempotencyKey(
                    user_id=caller().id,
                    key=key,
                    request_hash=this_request,
                    status=response.status_code,
                    body=response.get_data(as_text=True),
                    location=response.headers.get("Location"),
                )
            )
    return response


def _replay(earlier: IdempotencyKey, this_request: str) -> Response:
    """The first answer again, or a refusal when the key came with another request."""
    if earlier.request_hash != this_request:
        detail = f"This {HEADER} was used for another request; use a new key for a new one."
        return problem(422, "idempotency_key_reused", detail)
    response = current_app.response_class(
        earlier.body, status=earlier.status, mimetype="application/json"
    )
    if earlier.location:
        response.headers["Location"] = earlier.location
    response.headers[REPLAYED] = "true"
    return response
