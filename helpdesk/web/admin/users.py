"""Admin pages for people: list and search, create (they set a password by link), edit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from helpdesk import accounts, api_tokens, directory
from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.models import User
from helpdesk.models.api import ApiToken
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.admin.forms import ButtonForm, NewUserForm, UserForm, UserSearchForm
from helpdesk.web.numbers import page_number
from helpdesk.web.roles import admin_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable

Outcome = Response | tuple[str, int] | str


def _user_or_404(user_id: int) -> User:
    """Load the user a URL names, or answer 404."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@admin_required
def users() -> str:
    """List people by name, searchable by name or email and filterable by role and state."""
    form = UserSearchForm(formdata=request.args)
    found = directory.find_users(
        form.q.data or "", form.role.data, form.active_flag(), page_number()
    )
    kept = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/users.html", form=form, found=found, kept=kept)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user() -> Outcome:
    """Create an account and email the person a link to set their password."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.name.data, form.role.data)
            accounts.send_password_link(user)
        except DomainError as error:
            refused(error)
        else:
            flash(
                f"Account created. {user.email} has been sent a link to set a password.", "success"
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    elif form.is_submitted():
        unreadable(form)
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("admin/new_user.html", form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int) -> Outcome:
    """Change someone's name, role, active flag or report role (never your own admin
    role)."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                user.id,
                form.name.data,
                form.role.data,
                form.active.data,
                me(),
                reports=form.reports.data,
            )
        except DomainError as error:
            refused(error)
        else:
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    elif form.is_submitted():
        unreadable(form)
    status = UNPROCESSABLE if form.is_submitted() else 200
    shown = db.session.get(User, user_id)
    tokens = api_tokens.tokens_of(user)
    page = render_template("admin/user.html", user=shown, form=form, tokens=tokens)
    return page, status


@bp.post("/users/<int:user_id>/password-link")
@admin_required
def send_password_link(user_id: int) -> Response:
    """Email someone a fresh link to set or reset their password."""
    user = _user_or_404(user_id)
    if ButtonForm().validate_on_submit():
        accounts.send_password_link(user)
        flash(f"A link to set a password has been sent to {user.email}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@admin_required
def revoke_token(user_id: int, token_id: int) -> Response:
    """Revoke one of someone's API tokens (a script that leaked it, a person who left)."""
    user = _user_or_404(user_id)
    if ButtonForm().validate_on_submit():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            abort(404)
        api_tokens.revoke(token.id, me())
        flash(f"{user.name}'s token {token.name} ({token.prefix}…) is revoked.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id, _anchor="tokens"))
