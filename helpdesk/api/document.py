"""The OpenAPI document: spectree generates it from the pydantic models that validate each
request and response; this module only says what spectree cannot: that errors are sent as
`application/problem+json`."""

from __future__ import annotations

from typing import Any

from helpdesk.api.problems import MEDIA_TYPE, Problem

JSON = "application/json"


def with_problem_media_type(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every response whose body is a Problem under MEDIA_TYPE."""
    marker = f"/{Problem.__name__}."
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                schema = content.get(JSON, {}).get("schema", {})
                if marker in schema.get("$ref", ""):
                    content[MEDIA_TYPE] = content.pop(JSON)
    return document
