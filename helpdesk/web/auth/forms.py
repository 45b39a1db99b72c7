"""Forms for signing in, registering, setting a password and a person's own settings."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, PasswordField, SelectField, StringField
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from helpdesk.accounts import PASSWORD_MIN
from helpdesk.addresses import InvalidAddress, normalise_address
from helpdesk.core.zones import time_zones


def address(_form: BaseForm, field: Field) -> None:
    """The one address rule (helpdesk.addresses) instead of WTForms' Email(), whose
    email-validator refuses intranet domains such as corp.local that accounts may have."""
    try:
        normalise_address(field.data)
    except InvalidAddress as error:
        raise ValidationError(str(error)) from error


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), address])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")


class RegisterForm(FlaskForm):
    """Self-service sign-up for end users; the password is chosen through the emailed link."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), address])


class ForgotPasswordForm(FlaskForm):
    """Ask for a password link by email."""

    email = EmailField("Email", validators=[DataRequired(), address])


class SetPasswordForm(FlaskForm):
    """Choose a new password through a link."""

    password = PasswordField("New password", validators=[DataRequired(), Length(min=PASSWORD_MIN)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class ChangePasswordForm(SetPasswordForm):
    """A signed-in person's new password, after the current one."""

    current = PasswordField("Current password", validators=[DataRequired()])


class PreferencesForm(FlaskForm):
    """A person's own settings: their time zone and, for agents, whether they are away.

    The zone is checked by the service (helpdesk.accounts.update_preferences), not by the
    select, so that a name not in the list gets the service's sentence.
    """

    timezone = SelectField("Time zone", validate_choice=False)
    away = BooleanField("I am away: assignment rules give me no incidents")

    def offer(self, instance_zone: str) -> None:
        """Fill the zones, the instance's default first."""
        default = [("", f"The helpdesk's time zone ({instance_zone})")]
        self.timezone.choices = default + [(zone, zone) for zone in time_zones()]
