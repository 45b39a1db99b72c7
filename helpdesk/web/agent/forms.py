"""Agent console forms: the queue filter bar and one form per action on an incident.

Action forms carry a prefix (reply-body, note-body, ...) so that the many forms on the
workbench never share an HTML id. Choice fields skip WTForms' own choice check: the
service layer knows why a choice is refused (retired category, agent not in the team)
and gives the one message the agent sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from helpdesk import incidents, lifecycle
from helpdesk.channels import AGENT_CHANNELS
from helpdesk.incidents.participants import person_label
from helpdesk.models import CatalogueEntry, Incident, Team, User
from helpdesk.permissions import plain_status_targets
from helpdesk.priority import LEVELS, PRIORITY_LABELS, priority_label
from helpdesk.reads import queues
from helpdesk.web.numbers import optional_int


def _choices(blank: str, pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """A select's options: a blank first option, then (value, label) pairs."""
    return [SelectChoice("", blank), *(SelectChoice(value, label) for value, label in pairs)]


def team_choices(blank: str, teams: Iterable[Team]) -> list[SelectChoice]:
    """Teams by name."""
    return _choices(blank, ((t.id, t.name) for t in teams))


def agent_choices(blank: str, agents: Iterable[User]) -> list[SelectChoice]:
    """Agents labelled with their teams, so the assigner can see who belongs where."""
    return _choices(
        blank,
        ((a.id, f"{a.name} ({', '.join(t.name for t in a.teams) or 'no team'})") for a in agents),
    )


def catalogue_choices(
    blank: str, entries: Iterable[CatalogueEntry], current: int | None = None
) -> list[SelectChoice]:
    """Active entries, plus a retired one only when it is the current value."""
    return _choices(
        blank,
        (
            (e.id, e.name if e.active else f"{e.name} (retired)")
            for e in entries
            if e.active or e.id == current
        ),
    )


def _valid(field: SelectField) -> Any:
    """A filter field's value, or None when it is blank or could not be read."""
    return None if field.errors else field.data or None


class QueueFilterForm(FlaskForm):
    """The filter bar above a queue, read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField("Search")
    status = SelectField("Status", validate_choice=False)
    priority = SelectField("Priority", coerce=optional_int, validate_choice=False)
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    team = SelectField("Team", coerce=optional_int, validate_choice=False)
    agent = SelectField("Agent", coerce=optional_int, validate_choice=False)
    sort = SelectField("Sort by", validate_choice=False)

    def offer(
        self,
        categories: Iterable[CatalogueEntry],
        teams: Iterable[Team],
        agents: Iterable[User],
        sorts: dict[str, queues.Sort],
    ) -> None:
        """Fill the choices (the queue's sorts, its default first); categories include
        retired ones, old incidents still carry them."""
        self.status.choices = _choices("Any status", lifecycle.STATUS_LABELS.items())
        self.priority.choices = _choices(
            "Any priority", ((p, priority_label(p)) for p in PRIORITY_LABELS)
        )
        self.category.choices = _choices("Any category", ((c.id, c.name) for c in categories))
        self.team.choices = team_choices("Any team", teams)
        self.agent.choices = _choices("Any agent", ((a.id, a.name) for a in agents))
        self.sort.choices = [SelectChoice(key, s.label) for key, s in sorts.items()]

    def filters(self) -> queues.Filters:
        """The valid parts of the submitted filters; a mangled field is ignored."""
        status = _valid(self.status)
        return queues.Filters(
            status=status if status in lifecycle.STATUSES else None,
            priority=_valid(self.priority),
            category_id=_valid(self.category),
            team_id=_valid(self.team),
            agent_id=_valid(self.agent),
            q=self.search_text(),
        )

    def search_text(self) -> str:
        """What the search box holds, trimmed and cut at 200 characters (the sorts offered
        depend on it, so they are chosen from the very text the queue searches for)."""
        return (self.q.data or "").strip()[:200]

    def chosen_sort(self) -> str:
        """The chosen sort if the queue offers it, else the queue's default (the first)."""
        offered = [choice.value for choice in self.sort.choices]
        return self.sort.data if self.sort.data in offered else offered[0]


class MessageForm(FlaskForm):
    """A public reply or an internal note, with files (used with prefix reply or note)."""

    body = TextAreaField("Message")
    attachments = MultipleFileField("Attachments")


class ButtonForm(FlaskForm):
    """A one-click action (take ownership, unlink); a form so it carries the CSRF token."""


class AssignForm(FlaskForm):
    """Assign to a team and, optionally, one of its agents."""

    team = SelectField("Team", coerce=optional_int, validate_choice=False)
    agent = SelectField("Agent", coerce=optional_int, validate_choice=False)

    def offer(self, teams: Iterable[Team], agents: Iterable[User]) -> None:
        """Offer every team and every agent; the service checks the agent is in the team."""
        self.team.choices = team_choices("No team", teams)
        self.agent.choices = agent_choices("No agent", agents)


class EscalateForm(FlaskForm):
    """Escalate to the next support tier's team (the assigned team's escalation team is
    chosen first) with the reason the next team reads."""

    team = SelectField("Escalate to", coerce=optional_int, validate_choice=False)
    reason = TextAreaField("Why it needs escalating")

    def offer(self, teams: Iterable[Team]) -> None:
        """Offer every team; with none chosen, the service takes the escalation team."""
        self.team.choices = team_choices("The team's escalation team", teams)


class ClassifyForm(FlaskForm):
    """Impact, urgency, category, service, and an optional priority override with a reason."""

    impact = SelectField("Impact", validate_choice=False)
    urgency = SelectField("Urgency", validate_choice=False)
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    service = SelectField("Affected service", coerce=optional_int, validate_choice=False)
    priority = SelectField("Priority override", coerce=optional_int, validate_choice=False)
    reason = StringField("Reason for the override")

    def offer(
        self,
        incident: Incident,
        categories: Iterable[CatalogueEntry],
        services: Iterable[CatalogueEntry],
    ) -> None:
        """Fill the choices for this incident (its own retired entries stay choosable)."""
        levels = [SelectChoice(level, level.title()) for level in LEVELS]
        self.impact.choices = levels
        self.urgency.choices = levels
        self.category.choices = catalogue_choices("None", categories, incident.category_id)
        self.service.choices = catalogue_choices("None", services, incident.service_id)
        self.priority.choices = _choices(
            "From impact and urgency", ((p, priority_label(p)) for p in PRIORITY_LABELS)
        )

    def classification(self) -> incidents.Classification:
        """The submitted form as the service layer's classification."""
        return incidents.Classification(
            impact=self.impact.data,
            urgency=self.urgency.data,
            category_id=self.category.data,
            service_id=self.service.data,
            override_priority=self.priority.data,
            override_reason=self.reason.data,
        )


class StatusForm(FlaskForm):
    """Move to another status; putting on hold needs a reason."""

    target = SelectField("New status", validate_choice=False)
    hold_reason = SelectField("Hold reason (when putting on hold)", validate_choice=False)

    def offer(self, incident: Incident) -> None:
        """Offer the statuses the state machine allows next, except resolve and cancel."""
        self.target.choices = [
            SelectChoice(s, lifecycle.STATUS_LABELS[s])
            for s in plain_status_targets(incident.status)
        ]
        self.hold_reason.choices = _choices("No hold", lifecycle.HOLD_REASONS.items())


class ResolveForm(FlaskForm):
    """Resolve: how (a resolution code), notes for the requester, and any workaround."""

    code = SelectField("Resolution code", validate_choice=False)
    notes = TextAreaField("Resolution notes")
    workaround = TextAreaField("Workaround (optional)")

    def offer(self) -> None:
        """Offer the resolution codes."""
        agent_codes = (
            (code, label)
            for code, label in lifecycle.RESOLUTION_CODES.items()
            if code not in lifecycle.REQUESTER_ONLY_CODES
        )
        self.code.choices = _choices("Choose a code", agent_codes)


class CancelForm(FlaskForm):
    """Cancel an incident that needs no work, with the reason."""

    reason = StringField("Reason for cancelling")


class ReferenceForm(FlaskForm):
    """Name another incident by reference (used to link and to merge)."""

    reference = StringField("Incident reference")


class NewIncidentForm(FlaskForm):
    """An incident an agent logs for a caller: who, how they got in touch, and what is wrong.

    The requester is typed as a name or an address (the picker fills in the address);
    `pick` offers the people a typed name matched when it matched several, and `new_name`
    and `new_email` create a requester the directory does not know yet.
    """

    requester = StringField("Requester")
    pick = RadioField("Which person do you mean?", validate_choice=False)
    new_name = StringField("Name")
    new_email = StringField("Email address")
    channel = RadioField(
        "How did they get in touch?",
        choices=[SelectChoice(key, label) for key, label in AGENT_CHANNELS.items()],
        default="phone",
        validate_choice=False,
    )
    subject = StringField("Subject")
    description = TextAreaField("Description")
    impact = SelectField("Impact", default="low", validate_choice=False)
    urgency = SelectField("Urgency", default="medium", validate_choice=False)
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    service = SelectField("Affected service", coerce=optional_int, validate_choice=False)
    attachments = MultipleFileField("Attachments")

    def offer(
        self, categories: Iterable[CatalogueEntry], services: Iterable[CatalogueEntry]
    ) -> None:
        """Fill the classification choices with what new incidents may be given."""
        levels = [SelectChoice(level, level.title()) for level in LEVELS]
        self.impact.choices = levels
        self.urgency.choices = levels
        self.category.choices = catalogue_choices("Not classified yet", categories)
        self.service.choices = catalogue_choices("Not known yet", services)

    def offer_people(self, people: Iterable[User]) -> None:
        """Offer the people a typed name matched, to choose one."""
        self.pick.choices = [SelectChoice(p.email, person_label(p)) for p in people]

    def report(self, attachments: list[incidents.NewAttachment]) -> incidents.IncidentReport:
        """The submitted form as the service layer's report."""
        return incidents.IncidentReport(
            subject=self.subject.data,
            description=self.description.data,
            category_id=self.category.data,
            service_id=self.service.data,
            impact=self.impact.data,
            urgency=self.urgency.data,
            channel=self.channel.data,
            attachments=attachments,
        )


class PersonForm(FlaskForm):
    """Name one person by name or address (adding a participant, changing the requester)."""

    person = StringField("Name or email address")
