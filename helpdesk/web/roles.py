"""View decorators for the role model: user < agent < admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from helpdesk.models import User

View = Callable[..., Any]


def _requires(allowed: Callable[[User], bool]) -> Callable[[View], View]:
    """Build a decorator that signs visitors in and answers 403 to users who are not allowed."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


agent_required = _requires(lambda user: user.is_agent)
agent_required.__doc__ = "Let agents and admins in."
admin_required = _requires(lambda user: user.is_admin)
admin_required.__doc__ = "Let admins in."
reports_required = _requires(lambda user: user.reads_reports)
reports_required.__doc__ = "Let admins and agents with the report role in."
