"""The console's change forms: a change's fields, the list's filter bar, a status move with
its optional time, and naming a change by reference from an incident.

Times are typed on the agent's own clock (their zone, as every time the console shows) and
stored as naive UTC; a blank time field is left to the service layer, which says what it
needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk import changes
from helpdesk.changes.windows import in_utc
from helpdesk.core.zones import local
from helpdesk.models import CatalogueEntry, Change, User
from helpdesk.reads.change_list import Filters
from helpdesk.web.agent.forms import agent_choices
from helpdesk.web.numbers import optional_int

TIME_FORMAT = "%Y-%m-%dT%H:%M"


def to_utc(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A time typed on `zone`'s wall clock as the naive UTC instant it names."""
    return in_utc(moment.replace(tzinfo=zone)) if moment else None


def on_wall(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A stored instant as `zone`'s wall clock shows it, to fill a time field."""
    return local(moment, zone).replace(tzinfo=None) if moment else None


def _time_field(label: str) -> DateTimeLocalField:
    """A date and time field that may be left blank."""
    return DateTimeLocalField(label, format=TIME_FORMAT, validators=[Optional()])


class ChangeForm(FlaskForm):
    """A change's fields, for a new change and for editing one."""

    title = StringField("Title")
    description = TextAreaField("Description")
    services = SelectMultipleField(
        "Services it touches",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service layer names an unknown service
    )
    planned_start = _time_field("Planned start")
    planned_end = _time_field("Planned end")
    implementer = SelectField("Implementer", coerce=optional_int, validate_choice=False)
    external_id = StringField("External id (in the change system, if any)")

    def offer(self, services: Iterable[CatalogueEntry], agents: Iterable[User]) -> None:
        """Offer the active services, and retired ones the change already has; the agents."""
        chosen = set(self.services.data or [])
        self.services.choices = [
            SelectChoice(s.id, s.name if s.active else f"{s.name} (retired)")
            for s in services
            if s.active or s.id in chosen
        ]
        self.implementer.choices = agent_choices("Nobody yet", agents)

    def plan(self, zone: tzinfo) -> changes.ChangePlan:
        """The submitted form as the service layer's plan, its times in UTC."""
        return changes.ChangePlan(
            title=self.title.data or "",
            description=self.description.data or "",
            service_ids=list(self.services.data or []),
            planned_start=to_utc(self.planned_start.data, zone),
            planned_end=to_utc(self.planned_end.data, zone),
            implementer_id=self.implementer.data,
            external_id=self.external_id.data,
        )


def filled(change: Change, zone: tzinfo) -> ChangeForm:
    """The edit form holding the change as it is, its times on the agent's clock."""
    return ChangeForm(
        formdata=None,
        title=change.title,
        description=change.description,
        services=[service.id for service in change.services],
        planned_start=on_wall(change.planned_start, zone),
        planned_end=on_wall(change.planned_end, zone),
        implementer=change.implementer_id,
        external_id=change.external_id,
    )


class ChangeFilterForm(FlaskForm):
    """The filter bar above the change list, read from the query string (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField("Search")
    status = SelectField("Status", validate_choice=False)

    def offer(self) -> None:
        """Offer the statuses."""
        self.status.choices = [SelectChoice("", "Any status")] + [
            SelectChoice(key, label) for key, label in changes.STATUS_LABELS.items()
        ]

    def filters(self) -> Filters:
        """The status chosen (if it is one) and the search text, cut at 200 characters."""
        status = self.status.data if self.status.data in changes.STATUS_LABELS else None
        return Filters(status=status, q=(self.q.data or "").strip()[:200])


class MoveForm(FlaskForm):
    """A status move, with when it happened if not just now."""

    at = _time_field("When (leave blank for now)")


class CauseForm(FlaskForm):
    """Name the change that caused an incident, by reference."""

    reference = StringField("Change reference")
