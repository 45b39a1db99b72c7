"""Who is calling: a personal access token in `Authorization: Bearer ...` (helpdesk.api_tokens
keeps only its hash), and what its scope lets it do. A read token reads; a write token reads
and changes what its person may change on the web; an alerts token only posts alerts. No
session, no cookie, no CSRF: the token is the credential, sent by a program."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request

from helpdesk import api_tokens
from helpdesk.api.problems import problem
from helpdesk.core.errors import NotAllowed
from helpdesk.models import ApiToken, User

View = TypeVar("View", bound=Callable[..., Any])
# Which token scopes each kind of operation accepts.
ACCEPTED = {"read": ("read", "write"), "write": ("write",), "alerts": ("alerts",)}
CHALLENGE = 'Bearer realm="helpdesk"'


def presented_token() -> str | None:
    """The token in the Authorization header, if it is a bearer token."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def rate_limit_key() -> str:
    """What the rate limit counts by: the token presented (hashed: the limiter's storage
    never holds a secret), else the client's address."""
    token = presented_token()
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")


def requires(
    scope: str, elsewhere: Callable[[], str | None] | None = None
) -> Callable[[View], View]:
    """Let the view run only for a working token whose scope allows `scope`; 401 without
    one (the same answer for a missing, wrong, revoked or deactivated person's token),
    403 when the scope does not reach. Without the header, `elsewhere` may find the token
    where a sender that cannot set headers puts it (an Events v2 body's routing_key)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            presented = presented_token() or (elsewhere() if elsewhere else None)
            token = api_tokens.authenticate(presented or "")
            if token is None:
                refused = problem(401, "unauthorized", "Send a valid token: Bearer hd_...")
                refused.headers["WWW-Authenticate"] = CHALLENGE
                return refused
            if token.scope not in ACCEPTED[scope]:
                detail = f"This token's scope is {token.scope}; this operation needs {scope}."
                return problem(403, "insufficient_scope", detail)
            g.api_token = token
            return view(*args, **kwargs)

        return cast(View, checked)

    return decorate


def agents_only(what: str) -> None:
    """Refuse the caller unless an agent (or admin), as the console's pages do: 403
    `not_allowed`, "Only agents <what>."."""
    if not caller().is_agent:
        raise NotAllowed(f"Only agents {what}.")


def caller() -> User:
    """The person whose token made this request (inside a `requires` view)."""
    token: ApiToken = g.api_token
    return token.user
