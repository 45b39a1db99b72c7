"""Admin forms: people, teams and memberships, catalogue entries.

Like the console's forms, they leave the rules (valid address, unique names, no self
demotion) to the service layer, whose message is the one the admin sees.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
)

from helpdesk.models import ROLES, User
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.numbers import optional_int

__all__ = [
    "ActiveForm",
    "ButtonForm",
    "EntryForm",
    "MemberForm",
    "NewUserForm",
    "TeamForm",
    "UserForm",
    "UserSearchForm",
]

ROLE_CHOICES = [SelectChoice(role, role.title()) for role in ROLES]


class UserSearchForm(FlaskForm):
    """The filter bar above the user list, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField("Name or email")
    role = SelectField(
        "Role", choices=[SelectChoice("", "Any role"), *ROLE_CHOICES], validate_choice=False
    )
    active = SelectField(
        "Account",
        choices=[
            SelectChoice("", "Active or not"),
            SelectChoice("yes", "Active"),
            SelectChoice("no", "Deactivated"),
        ],
        validate_choice=False,
    )

    def active_flag(self) -> bool | None:
        """The chosen active filter as a flag, None for either."""
        return {"yes": True, "no": False}.get(self.active.data or "")


class UserForm(FlaskForm):
    """An admin's change to someone's name, role and whether they can sign in."""

    name = StringField("Name")
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    active = BooleanField("Active (can sign in)")


class NewUserForm(FlaskForm):
    """A new account; the person sets their own password through an emailed link."""

    email = EmailField("Email")
    name = StringField("Name")
    role = SelectField("Role", choices=ROLE_CHOICES, default="user", validate_choice=False)


class TeamForm(FlaskForm):
    """A team's name, description and whether it is the service desk."""

    name = StringField("Name")
    description = StringField("Description")
    is_service_desk = BooleanField("Service desk (first line; owns incidents)")


class MemberForm(FlaskForm):
    """Add an agent to a team."""

    user = SelectField("Agent", coerce=optional_int, validate_choice=False)

    def offer(self, candidates: Iterable[User]) -> None:
        """Offer the agents who are not in the team yet."""
        self.user.choices = [
            SelectChoice("", "Choose an agent"),
            *(SelectChoice(a.id, f"{a.name} ({a.email})") for a in candidates),
        ]


class EntryForm(FlaskForm):
    """A category's or service's name (prefixed per entry when several are on a page)."""

    name = StringField("Name")


class ActiveForm(FlaskForm):
    """Retire or reactivate a catalogue entry; the wanted state travels with the click."""

    active = HiddenField()

    def wanted(self) -> bool:
        """True to reactivate, False to retire."""
        return self.active.data == "1"
