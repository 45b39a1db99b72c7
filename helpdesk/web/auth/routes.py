"""Auth views: thin wrappers over helpdesk.accounts."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from helpdesk import accounts, api_tokens
from helpdesk.core.zones import INSTANCE_ZONE, exact_time, zone_named
from helpdesk.extensions import limiter
from helpdesk.incidents import DomainError
from helpdesk.models import User, utcnow
from helpdesk.models.api import TOKEN_SCOPES
from helpdesk.web.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    PreferencesForm,
    RegisterForm,
    SetPasswordForm,
)
from helpdesk.web.safety import safe_next
from helpdesk.web.view_helpers import me

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

# Registration answers this whether or not the address has an account (see accounts.register).
CHECK_YOUR_EMAIL = (
    "Check your email to finish: we have sent a link to choose your password. "
    "It may take a minute to arrive."
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _sign_in(user: User, remember: bool = False) -> None:
    """Start a sign-in; Flask-Login keeps its key in the session (and remember-me cookie)."""
    accounts.sign_in(user)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str:
    """Sign in with email and password; go back to a safe `next` page afterwards."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _sign_in(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        log.info("failed sign-in for a submitted address")  # never the address or password
        flash("Email or password is incorrect.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out (POST with CSRF, so a link on another site cannot sign you out). The sign-in
    ends on the server too: a copy of the session or remember-me cookie no longer works."""
    accounts.sign_out(current_user.sign_in_key())
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register() -> Response | str:
    """Sign up with name and address; the same answer whether or not the address is known."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register(form.email.data, form.name.data)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(CHECK_YOUR_EMAIL, "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> Response | str:
    """Email a password link; say the same thing whether or not the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(form.email.data)
        if user is not None and user.active:
            accounts.send_password_link(user)
        flash("If that address has an account, a link to set a password is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str:
    """Choose a password through an emailed link (works once, expires); every earlier
    sign-in ends, and this browser is signed in afresh."""
    try:
        user = accounts.user_for_token(token)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("auth.forgot_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_with_token(token, form.password.data)
        except DomainError as error:
            flash(str(error), "error")
        else:
            _sign_in(user)
            flash("Your password is set.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def change_password() -> Response | str:
    """A signed-in person's new password: every sign-in ends, this browser's is renewed."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(me(), form.current.data, form.password.data)
        except DomainError as error:
            flash(str(error), "error")
        else:
            _sign_in(me())
            flash("Your password is changed; other browsers and devices are signed out.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | tuple[str, int]:
    """A signed-in person's own settings: the time zone times are shown in, and for agents
    "I am away"; a refused choice is shown again with the reason."""
    user = me()
    form = PreferencesForm(timezone=user.timezone or "", away=user.away)
    form.offer(INSTANCE_ZONE)
    status = 200
    if form.validate_on_submit():
        try:
            accounts.update_preferences(user, form.timezone.data, bool(form.away.data))
        except DomainError as error:
            flash(str(error), "error")
            status = 400
        else:
            flash("Your settings are saved.", "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    now = exact_time(utcnow(), zone_named(user.timezone))
    page = render_template(
        "auth/account.html",
        form=form,
        now_here=now,
        zone=INSTANCE_ZONE,
        tokens=api_tokens.tokens_of(user),
        scopes=TOKEN_SCOPES,
    )
    return page, status
