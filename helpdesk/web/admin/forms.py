"""Admin forms: people, teams and memberships, catalogue entries, SLA calendars and policies.

Like the console's forms, they leave the rules (valid address, unique names, no self
demotion) to the service layer, whose message is the one the admin sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.directory import ASSIGN_WITHIN_LABELS, TeamRouting
from helpdesk.lifecycle import HOLD_REASONS
from helpdesk.models import ROLES, CatalogueEntry, SlaCalendar, SlaPolicy, Team, User
from helpdesk.priority import priority_label
from helpdesk.sla.calendar import WEEKDAYS
from helpdesk.sla.spec import DEFAULT_PAUSE_ON, DEFAULT_WARN_AT, PRIORITIES
from helpdesk.sla_policies.store import ESCALATE_ON_LABELS, PolicyFields
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.numbers import optional_int

__all__ = [
    "ActiveForm",
    "ButtonForm",
    "CalendarForm",
    "EntryForm",
    "ImportForm",
    "MemberForm",
    "NewUserForm",
    "PolicyForm",
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
    """An admin's change to someone's name, role, whether they can sign in and whether
    they may read the reports."""

    name = StringField("Name")
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    active = BooleanField("Active (can sign in)")
    reports = BooleanField("May read reports (agents; admins always may)")


class NewUserForm(FlaskForm):
    """A new account; the person sets their own password through an emailed link."""

    email = EmailField("Email")
    name = StringField("Name")
    role = SelectField("Role", choices=ROLE_CHOICES, default="user", validate_choice=False)


class TeamForm(FlaskForm):
    """A team's name, description and whether it is the service desk; on the team's own
    page also its lead, escalation team and how incidents are assigned within it."""

    name = StringField("Name")
    description = StringField("Description")
    is_service_desk = BooleanField("Service desk (first line; owns incidents)")
    lead = SelectField("Team lead", coerce=optional_int, validate_choice=False)
    escalation_team = SelectField("Escalation team", coerce=optional_int, validate_choice=False)
    assign_within = SelectField(
        "Assign within the team",
        choices=[SelectChoice(key, label) for key, label in ASSIGN_WITHIN_LABELS.items()],
        default="nobody",
        validate_choice=False,
    )

    def offer(self, team: Team, teams: Iterable[Team]) -> None:
        """Offer the team's agents as lead and every other team as the next tier."""
        self.lead.choices = [
            SelectChoice("", "No lead"),
            *(SelectChoice(m.id, m.name) for m in team.members if m.is_agent),
        ]
        self.escalation_team.choices = [
            SelectChoice("", "None"),
            *(SelectChoice(t.id, t.name) for t in teams if t.id != team.id),
        ]

    @staticmethod
    def initial(team: Team) -> dict[str, Any]:
        """A stored team as the form shows it (pass as `data`)."""
        return {
            "name": team.name,
            "description": team.description,
            "is_service_desk": team.is_service_desk,
            "lead": team.lead_id,
            "escalation_team": team.escalation_team_id,
            "assign_within": team.assign_within,
        }

    def routing(self) -> TeamRouting:
        """The lead, escalation team and assignment as the directory takes them."""
        return TeamRouting(
            lead_id=self.lead.data,
            escalation_team_id=self.escalation_team.data,
            assign_within=self.assign_within.data or "nobody",
        )


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


@cache
def zone_choices() -> list[SelectChoice]:
    """Every IANA time zone this machine knows, by name (read once: it walks the zone files)."""
    return [SelectChoice(zone, zone) for zone in sorted(available_timezones())]


def _split(text: str | None, separator: str) -> list[str]:
    """The non-blank parts of `text`, stripped."""
    return [part.strip() for part in (text or "").split(separator) if part.strip()]


class CalendarForm(FlaskForm):
    """A working calendar as an admin types it: each weekday's windows as "09:00-12:00,
    13:00-17:00", holidays one date a line. helpdesk.sla.calendar checks what they say, so
    the form only cuts the text into the spec's lists."""

    name = StringField("Name")
    timezone = SelectField("Time zone", default="UTC", validate_choice=False)
    mon = StringField("Monday")
    tue = StringField("Tuesday")
    wed = StringField("Wednesday")
    thu = StringField("Thursday")
    fri = StringField("Friday")
    sat = StringField("Saturday")
    sun = StringField("Sunday")
    holidays = TextAreaField("Holidays")
    country = StringField("Country's public holidays")
    subdivision = StringField("Subdivision")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()

    @staticmethod
    def initial(row: SlaCalendar) -> dict[str, Any]:
        """A stored calendar as the form shows it (pass as `data`)."""
        return {
            "name": row.name,
            "timezone": row.timezone,
            **{day: ", ".join(row.hours.get(day, [])) for day in WEEKDAYS},
            "holidays": "\n".join(row.holidays),
            "country": row.country or "",
            "subdivision": row.subdivision or "",
        }

    def spec(self) -> dict[str, Any]:
        """The calendar spec the store takes; a day left blank has no working hours."""
        hours = {day: windows for day in WEEKDAYS if (windows := _split(self[day].data, ","))}
        return {
            "timezone": self.timezone.data,
            "hours": hours,
            "holidays": _split(self.holidays.data, "\n"),
            "country": (self.country.data or "").strip() or None,
            "subdivision": (self.subdivision.data or "").strip() or None,
        }


class TargetForm(Form):
    """One priority's targets, a part of PolicyForm (which carries the CSRF token)."""

    response = StringField("Response")
    resolution = StringField("Resolution")
    clock = SelectField(
        "Clock",
        choices=[
            SelectChoice("business", "Business hours"),
            SelectChoice("24x7", "Around the clock"),
        ],
        validate_choice=False,
    )


class PolicyForm(FlaskForm):
    """An SLA policy: its calendar and scope, durations like "4h" or "2h30m" per priority,
    the hold reasons that pause the clock and the share of a target that warns."""

    name = StringField("Name")
    calendar = SelectField("Calendar", validate_choice=False)
    is_default = BooleanField("Default policy (applies when no other does)")
    service = SelectField("Service", coerce=optional_int, validate_choice=False)
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    p1 = FormField(TargetForm, priority_label(1))
    p2 = FormField(TargetForm, priority_label(2))
    p3 = FormField(TargetForm, priority_label(3))
    p4 = FormField(TargetForm, priority_label(4))
    p5 = FormField(TargetForm, priority_label(5))
    pause_on = SelectMultipleField(
        "Hold reasons that pause the clock",
        choices=[SelectChoice(key, label) for key, label in HOLD_REASONS.items()],
        default=list(DEFAULT_PAUSE_ON),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    warn_at = FloatField("Warn at this share of a target", default=DEFAULT_WARN_AT)
    escalate_on = SelectField(
        "Escalate to the team's escalation team by itself",
        choices=[SelectChoice(key, label) for key, label in ESCALATE_ON_LABELS.items()],
        default="never",
        validate_choice=False,
    )

    def offer(
        self,
        calendars: Iterable[SlaCalendar],
        services: Iterable[CatalogueEntry],
        categories: Iterable[CatalogueEntry],
    ) -> None:
        """Offer the calendars by name, and every service and category (or none)."""
        self.calendar.choices = [SelectChoice(row.name, row.name) for row in calendars]
        for select, entries in ((self.service, services), (self.category, categories)):
            select.choices = [
                SelectChoice("", "Any"),
                *(SelectChoice(e.id, e.name + ("" if e.active else " (retired)")) for e in entries),
            ]

    @staticmethod
    def initial(row: SlaPolicy) -> dict[str, Any]:
        """A stored policy as the form shows it (pass as `data`)."""
        return {
            "name": row.name,
            "calendar": row.calendar.name,
            "is_default": row.is_default,
            "service": row.service_id,
            "category": row.category_id,
            **{key.lower(): row.targets.get(key, {}) for key in PRIORITIES},
            "pause_on": row.pause_on,
            "warn_at": row.warn_at,
            "escalate_on": row.escalate_on,
        }

    def targets(self) -> dict[str, dict[str, str]]:
        """{"P1": {"response": "15m", "resolution": "4h", "clock": "24x7"}, ...}."""
        return {
            key: {name: (value or "").strip() for name, value in self[key.lower()].data.items()}
            for key in PRIORITIES
        }

    def fields(self) -> PolicyFields:
        """The policy as the store takes it."""
        return PolicyFields(
            calendar=self.calendar.data or "",
            targets=self.targets(),
            pause_on=list(self.pause_on.data or []),
            warn_at=self.warn_at.data,
            service_id=self.service.data,
            category_id=self.category.data,
            is_default=self.is_default.data,
            escalate_on=self.escalate_on.data or "never",
        )


class ImportForm(FlaskForm):
    """A TOML file of calendars and policies, as `helpdesk sla export` writes it."""

    file = FileField("TOML file")
