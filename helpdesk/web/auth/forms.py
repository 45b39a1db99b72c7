"""Forms for signing in, registering and setting a password."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from helpdesk.accounts import PASSWORD_MIN


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")


class RegisterForm(FlaskForm):
    """Self-service sign-up for end users."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=PASSWORD_MIN)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class ForgotPasswordForm(FlaskForm):
    """Ask for a password link by email."""

    email = EmailField("Email", validators=[DataRequired(), Email()])


class SetPasswordForm(FlaskForm):
    """Choose a new password through a link."""

    password = PasswordField("New password", validators=[DataRequired(), Length(min=PASSWORD_MIN)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
