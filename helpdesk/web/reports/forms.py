"""The reports' filter: which days (in the reporting time zone) and which incidents, read
from the query string, so a report is a link a manager can keep or send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import ValidationError

from helpdesk.channels import INCIDENT_CHANNELS
from helpdesk.extensions import db
from helpdesk.models import Category, Service, Team
from helpdesk.priority import priority_label
from helpdesk.reads.report_scope import EARLIEST, EVERY, LATEST, ReportFilter, ReportRange
from helpdesk.web.numbers import optional_int

# The range a report shows unless asked: the last 30 days, today included.
DEFAULT_DAYS = 30
# Days a range may name: wide enough for any history, far from the calendar's ends.
DATE_HINT = "Write a date as YYYY-MM-DD, such as 2026-12-01."
EVERY_WORDS = {"day": "Per day", "week": "Per week"}
# The catalogue a filter's id must name: (field, model, what it is called).
NAMED = (
    ("team", Team, "team"),
    ("category", Category, "category"),
    ("service", Service, "service"),
)


class Day(DateField):
    """A date in the query string; left empty it keeps its default (a cleared box)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the date, unless the box was left empty."""
        if valuelist and str(valuelist[0]).strip():
            super().process_formdata(valuelist)


@dataclass(frozen=True)
class Scope:
    """What a report covers: the days, the incidents, and per day or per week."""

    period: ReportRange
    only: ReportFilter
    every: str


class ReportForm(FlaskForm):
    """The filter above the reports (a GET form: it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    first = Day("From", name="from", invalid_value_message=DATE_HINT)
    last = Day("To", name="to", invalid_value_message=DATE_HINT)
    team = SelectField("Team", coerce=optional_int, validate_choice=False)
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    service = SelectField("Service", coerce=optional_int, validate_choice=False)
    priority = SelectField(
        "Priority",
        coerce=optional_int,
        choices=[SelectChoice("", "Any priority")]
        + [SelectChoice(str(number), priority_label(number)) for number in range(1, 6)],
    )
    channel = SelectField(
        "Channel",
        choices=[SelectChoice("", "Any channel")]
        + [SelectChoice(name, name.title()) for name in INCIDENT_CHANNELS],
        default="",
    )
    every = SelectField(
        "Periods", choices=[SelectChoice(name, EVERY_WORDS[name]) for name in EVERY], default="day"
    )

    def offer(self) -> ReportForm:
        """Fill the catalogue choices: every team, category and service by name."""
        for name, model, what in NAMED:
            rows = db.session.execute(select(model.id, model.name).order_by(model.name))
            getattr(self, name).choices = [
                SelectChoice("", f"Any {what}"),
                *(SelectChoice(str(ident), label) for ident, label in rows),
            ]
        return self

    def validate_first(self, field: Day) -> None:
        """Refuse a day too far from now to be in anyone's history."""
        _check_day(field.data)

    def validate_last(self, field: Day) -> None:
        """Refuse a day too far from now to be in anyone's history."""
        _check_day(field.data)

    def problems(self) -> list[str]:
        """Why the filter cannot be read, one sentence per field (none: it can)."""
        return [
            f"{getattr(self, name).label.text}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]

    def scope(self, zone: str) -> Scope:
        """The report the filter asks for; ValueError says why it cannot be made."""
        period = ReportRange(self.first.data, self.last.data, zone)
        only = ReportFilter(
            team_id=self.team.data,
            category_id=self.category.data,
            service_id=self.service.data,
            priority=self.priority.data,
            channel=self.channel.data or None,
        )
        return Scope(period, only, self.every.data)


def _check_day(day: date | None) -> None:
    """A day between the calendar's sensible ends."""
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError(f"Choose a day from {EARLIEST} to {LATEST}.")


def read_filter(args: Any, today: date) -> tuple[ReportForm, list[str]]:
    """The filter the query string asks for (the last 30 days to `today` unless it says
    otherwise) and why it cannot be read, if it cannot."""
    form = ReportForm(
        formdata=args, first=today - timedelta(days=DEFAULT_DAYS - 1), last=today
    ).offer()
    if not form.validate():
        return form, form.problems()
    for name, model, what in NAMED:
        chosen = getattr(form, name).data
        if chosen is not None and db.session.get(model, chosen) is None:
            return form, [f"There is no {what} number {chosen}."]
    return form, []
