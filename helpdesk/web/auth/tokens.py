"""A person's own API tokens on their settings page: create one (shown once), revoke one.
Thin views over helpdesk.api_tokens, on the auth blueprint beside /account."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField

from helpdesk import api_tokens
from helpdesk.core.errors import NotAllowed, NotFound
from helpdesk.incidents import DomainError
from helpdesk.models.api import TOKEN_SCOPES
from helpdesk.web.auth.routes import bp
from helpdesk.web.view_helpers import me, refused, unreadable

SEE_OTHER = 303


def _back(name: str | None = None, scope: str | None = None) -> Response:
    """Back to the tokens section of the settings page (with what was typed, if refused)."""
    back = url_for("auth.account", _anchor="tokens", token_name=name, token_scope=scope)
    return redirect(back, SEE_OTHER)


class TokenForm(FlaskForm):
    """Name and scope of a new token; the service checks both and says what is wrong."""

    name = StringField("Name")
    scope = SelectField("Scope", choices=list(TOKEN_SCOPES), validate_choice=False)


class RevokeForm(FlaskForm):
    """A Revoke button: a form so that it carries the CSRF token."""


@bp.post("/account/tokens")
@login_required
def create_token() -> Response | str:
    """Create a token for oneself and show it on the page this answers with, the only time
    it is shown (never through a redirect: the session cookie would carry it). A refused
    one goes back to the settings with what was typed and the reason."""
    form = TokenForm()
    if not form.validate_on_submit():
        unreadable(form)
        return _back()
    try:
        token, secret = api_tokens.create(me(), me(), form.name.data, form.scope.data or "")
    except DomainError as error:
        refused(error)
        return _back(form.name.data, form.scope.data)
    page = render_template("auth/new_token.html", token=token, secret=secret)
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"  # no copy of the token in any cache
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    """Revoke one of one's own tokens (someone else's is a 403, an unknown one a 404)."""
    if RevokeForm().validate_on_submit():
        try:
            token = api_tokens.revoke(token_id, me())
        except NotFound:
            abort(404)
        except NotAllowed:
            abort(403)
        flash(f"The token {token.name} ({token.prefix}…) is revoked.", "success")
    return _back()
