"""Portal forms: report an incident, reply, confirm or reject a resolution, rate it, withdraw it.

Choice fields skip WTForms' own choice check so that the service layer, which knows why a
category is refused (unknown, retired), gives the one message the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from helpdesk.incidents import IncidentReport, NewAttachment
from helpdesk.incidents.workflow import WITHDRAW_REASON_MAX
from helpdesk.models import Category, Service
from helpdesk.web.numbers import optional_int

URGENCY_CHOICES = [
    SelectChoice("high", "High - I cannot work at all"),
    SelectChoice("medium", "Medium - I can work, but slowly or only with a workaround"),
    SelectChoice("low", "Low - it is a nuisance, my work is not held up"),
]

RATING_CHOICES = [
    SelectChoice(5, "5 - Excellent"),
    SelectChoice(4, "4 - Good"),
    SelectChoice(3, "3 - Okay"),
    SelectChoice(2, "2 - Poor"),
    SelectChoice(1, "1 - Very poor"),
]

SUBJECT_MAX = 255
COMMENT_MAX = 2000


class IncidentForm(FlaskForm):
    """What a user can tell us about a new incident (impact is the service desk's call)."""

    subject = StringField(
        "Subject",
        validators=[
            DataRequired("Please give the incident a short subject."),
            Length(max=SUBJECT_MAX),
        ],
    )
    description = TextAreaField(
        "What happened?", validators=[DataRequired("Please describe what happened.")]
    )
    # Optional, as for an emailed report: agents classify what the user leaves open.
    category = SelectField(
        "Category", coerce=optional_int, validate_choice=False, validators=[Optional()]
    )
    service = SelectField(
        "Affected service", coerce=optional_int, validate_choice=False, validators=[Optional()]
    )
    urgency = RadioField(
        "How much does it stop you from working?",
        choices=URGENCY_CHOICES,
        default="medium",
        validate_choice=False,
    )
    attachments = MultipleFileField("Attachments")
    # The ids of the help articles suggested while typing ("12,7"), filled in by portal.js.
    shown_articles = HiddenField()

    def offer(self, categories: Sequence[Category], services: Sequence[Service]) -> None:
        """Fill the catalogue choices with what may be chosen for a new incident."""
        self.category.choices = [
            SelectChoice("", "Not sure"),
            *(SelectChoice(c.id, c.name) for c in categories),
        ]
        self.service.choices = [
            SelectChoice("", "Not sure / none"),
            *(SelectChoice(s.id, s.name) for s in services),
        ]

    def report(self, attachments: list[NewAttachment]) -> IncidentReport:
        """The submitted form as the service layer's report of a portal incident."""
        return IncidentReport(
            subject=self.subject.data,
            description=self.description.data,
            category_id=self.category.data,
            service_id=self.service.data,
            urgency=self.urgency.data,
            channel="portal",
            attachments=attachments,
        )


class ReplyForm(FlaskForm):
    """A public reply, with files, on an incident that is still open or resolved."""

    body = TextAreaField("Your reply", validators=[DataRequired("Please write your reply.")])
    attachments = MultipleFileField("Attachments")


class ConfirmForm(FlaskForm):
    """The one-click "yes, it is fixed"; a form so it carries the CSRF token."""


class RejectForm(FlaskForm):
    """Rejecting a resolution ("still broken") needs a word on what still goes wrong."""

    explanation = TextAreaField(
        "What is still wrong?",
        validators=[DataRequired("Please say what is still wrong.")],
    )


class RateForm(FlaskForm):
    """The requester's satisfaction with how the incident was handled."""

    rating = RadioField(
        "How satisfied are you with how we handled this?",
        choices=RATING_CHOICES,
        coerce=int,
        validate_choice=False,
        validators=[InputRequired("Please choose a rating from 1 to 5.")],
    )
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=COMMENT_MAX)])


class WithdrawForm(FlaskForm):
    """The requester no longer needs help; the tick box is the "are you sure?" step."""

    reason = TextAreaField(
        "Why? (optional)", validators=[Optional(), Length(max=WITHDRAW_REASON_MAX)]
    )
    confirm = BooleanField(
        "Yes, I no longer need help with this incident",
        validators=[InputRequired("Please tick the box to confirm you want to withdraw it.")],
    )
