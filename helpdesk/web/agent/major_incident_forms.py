"""The major-incident panel's forms: declare, post an update, resolve (attaching a child
names it with the workbench's ReferenceForm). Choices skip WTForms' own check: the service
layer says why a service or phase is refused."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField

from helpdesk.major_incidents import UPDATE_PHASES
from helpdesk.models import CatalogueEntry
from helpdesk.web.numbers import optional_int


class DeclareForm(FlaskForm):
    """Declare the incident major: what the public reads, and the services affected."""

    public_title = StringField("Public title")
    public_summary = TextAreaField("Public summary")
    services = SelectMultipleField("Affected services", coerce=optional_int, validate_choice=False)

    def offer(self, services: Iterable[CatalogueEntry]) -> None:
        """Offer the active services."""
        self.services.choices = [SelectChoice(s.id, s.name) for s in services if s.active]

    def service_ids(self) -> list[int]:
        """The chosen services' ids (a blank choice is no service)."""
        return [ident for ident in self.services.data or [] if ident is not None]


class UpdateForm(FlaskForm):
    """A public update: the phase it moves to, and its text."""

    phase = SelectField(
        "Phase",
        choices=[SelectChoice(phase, phase.title()) for phase in UPDATE_PHASES],
        validate_choice=False,
    )
    body = TextAreaField("Public update")


class ResolveMajorForm(FlaskForm):
    """Resolve the major incident: notes for its requester, a message for everyone."""

    notes = TextAreaField("Resolution notes")
    public_message = TextAreaField("Public message")
