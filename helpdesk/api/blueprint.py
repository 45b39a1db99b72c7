"""The API's blueprint under /api/v1 and its spectree instance: every operation is a view
of this blueprint decorated with `spec.validate`, whose pydantic models validate the request
and the response and make the OpenAPI 3.1 document (helpdesk.api.document)."""

from __future__ import annotations

from flask import Blueprint
from spectree import SpecTree
from spectree.models import SecureType, SecurityScheme, SecuritySchemeData

from helpdesk.api.problems import Problem, rewrite_invalid_request

bp = Blueprint("api", __name__, url_prefix="/api/v1")

TOKEN_SCHEME = "token"
spec = SpecTree(
    "flask",
    title="Helpdesk API",
    version="1",
    description=(
        "The helpdesk's REST API: the same service layer and permissions as the web. "
        "Send a personal access token as `Authorization: Bearer hd_...`. Errors are RFC 9457 "
        "problem details with a stable `code`; times are UTC in ISO 8601."
    ),
    # Only the views this instance validates are in the document; spectree serves its own
    # copy under this path, the API's own is /api/v1/openapi.json (with problem+json).
    mode="strict",
    path="api/v1/spectree",
    page_templates={},
    annotations=True,
    validation_error_status=422,
    validation_error_model=Problem,
    before=rewrite_invalid_request,
    security_schemes=[
        SecurityScheme(
            name=TOKEN_SCHEME,
            data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer", bearer_format="hd_..."),
        )
    ],
    security={TOKEN_SCHEME: []},
)
