"""Forms of the problem pages and of the incident page's problem panel."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from helpdesk.models import CatalogueEntry, Problem, Team, User
from helpdesk.priority import PRIORITY_LABELS, priority_label
from helpdesk.problems import ProblemFields, states
from helpdesk.web.agent.forms import agent_choices, team_choices
from helpdesk.web.numbers import optional_int


def _ids(values: Iterable[str | int]) -> list[int]:
    """The chosen ids of a multiple select; a value that is not an id is dropped."""
    chosen = []
    for value in values:
        try:
            number = optional_int(value)
        except ValueError:
            continue
        if number is not None:
            chosen.append(number)
    return chosen


class ProblemForm(FlaskForm):
    """A problem's fields: what it is, who owns it, what it affects, what is known."""

    title = StringField("Title")
    description = TextAreaField("Description")
    priority = SelectField("Priority", coerce=optional_int, default=3, validate_choice=False)
    owner_team = SelectField("Owner team", coerce=optional_int, validate_choice=False)
    owner_agent = SelectField("Owner agent", coerce=optional_int, validate_choice=False)
    services = SelectMultipleField("Affected services", coerce=str, validate_choice=False)
    root_cause = TextAreaField("Root cause")
    workaround = TextAreaField("Workaround")

    def offer(
        self, teams: Iterable[Team], agents: Iterable[User], services: Iterable[CatalogueEntry]
    ) -> None:
        """Fill the choices: priorities, teams, agents and the services."""
        self.priority.choices = [SelectChoice(p, priority_label(p)) for p in PRIORITY_LABELS]
        self.owner_team.choices = team_choices("No team", teams)
        self.owner_agent.choices = agent_choices("No agent", agents)
        chosen = {str(ident) for ident in _ids(self.services.data or [])}
        self.services.choices = [
            SelectChoice(str(entry.id), entry.name)
            for entry in services
            if entry.active or str(entry.id) in chosen
        ]

    def fill(self, problem: Problem) -> None:
        """Show the problem's current values."""
        self.title.data = problem.title
        self.description.data = problem.description
        self.priority.data = problem.priority
        self.owner_team.data = problem.owner_team_id
        self.owner_agent.data = problem.owner_agent_id
        self.services.data = [str(service.id) for service in problem.services]
        self.root_cause.data = problem.root_cause
        self.workaround.data = problem.workaround

    def fields(self) -> ProblemFields:
        """The submitted form as the service layer's fields."""
        return ProblemFields(
            title=self.title.data or "",
            description=self.description.data or "",
            priority=self.priority.data or 3,
            owner_team_id=self.owner_team.data,
            owner_agent_id=self.owner_agent.data,
            service_ids=_ids(self.services.data or []),
            root_cause=self.root_cause.data,
            workaround=self.workaround.data,
        )


class ProblemFilterForm(FlaskForm):
    """The list's filter bar, read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            *(SelectChoice(key, label) for key, label in states.LABELS.items()),
        ],
        validate_choice=False,
    )
    q = SearchField("Search")

    def chosen_status(self) -> str | None:
        """The status filter when it names a status, else None."""
        return self.status.data if self.status.data in states.LABELS else None

    def words(self) -> str:
        """The search words, trimmed and cut at 200 characters."""
        return (self.q.data or "").strip()[:200]


class ProblemStatusForm(FlaskForm):
    """Move a problem to another status."""

    target = SelectField("New status", validate_choice=False)

    def offer(self, problem: Problem) -> None:
        """Offer the statuses the lifecycle allows next, except resolving."""
        self.target.choices = [
            SelectChoice(target, states.LABELS[target])
            for target in states.plain_targets(problem.status)
        ]


class FixForm(FlaskForm):
    """Resolve a problem: how it was fixed for good."""

    fix = TextAreaField("The fix")


class ProblemReferenceForm(FlaskForm):
    """Name a problem (PRB-000123), a change (CHG-000123) or an incident by reference."""

    reference = StringField("Reference")


def blank_reference_form(prefix: str, label: str) -> ProblemReferenceForm:
    """An unsubmitted reference form whose field says what to name ("Incident reference")."""
    form = ProblemReferenceForm(formdata=None, prefix=prefix)
    form.reference.label.text = label
    return form


class OpenFromIncidentForm(FlaskForm):
    """Open a problem from the incident on the page; the title starts as its subject."""

    title = StringField("Problem title")
