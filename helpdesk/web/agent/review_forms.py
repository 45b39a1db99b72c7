"""The forms of the post-incident review pages: the review's texts, its status, and its
action items (with the planned window a change needs). Choices are checked by the service,
which says why one is refused."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from helpdesk.models import User
from helpdesk.reviews.action_items import TITLE_MAX
from helpdesk.web.agent.forms import agent_choices
from helpdesk.web.filters import viewer_zone
from helpdesk.web.numbers import optional_int

# Hints that keep the review blameless: about systems and conditions, never about people.
HINTS = {
    "summary": "What happened and what it meant for the people affected, in a few sentences.",
    "root_cause": "The conditions that let it happen (systems, processes, signals), not who "
    "did what: people did what made sense with what they knew at the time.",
    "went_well": "What helped: detection, tools, communication, the people who stepped in.",
    "to_improve": "What would make it less likely, or quicker to notice and fix, next time.",
}


class ReviewForm(FlaskForm):
    """The review's texts and its facilitator."""

    summary = TextAreaField("Summary")
    root_cause = TextAreaField("Root cause")
    went_well = TextAreaField("What went well")
    to_improve = TextAreaField("What to improve")
    facilitator = SelectField("Facilitator", coerce=optional_int, validate_choice=False)

    def offer(self, agents: Iterable[User]) -> None:
        """Offer the active agents as facilitators."""
        self.facilitator.choices = agent_choices("Keep as is", agents)


class ReviewStatusForm(FlaskForm):
    """Move the review to another status (the button says which)."""

    target = HiddenField()


class ActionItemForm(FlaskForm):
    """An action item: what, who, by when."""

    title = StringField("Action", render_kw={"maxlength": TITLE_MAX})
    owner = SelectField("Owner", coerce=optional_int, validate_choice=False)
    due_on = DateField("Due", validators=[Optional()])

    def offer(self, agents: Iterable[User]) -> None:
        """Offer the active agents as owners."""
        self.owner.choices = agent_choices("Nobody yet", agents)


class ActionStatusForm(FlaskForm):
    """Mark an action item done, dropped or open again (the button says which)."""

    status = HiddenField()


class ChangeWindowForm(FlaskForm):
    """The planned window of the change an action item becomes, on the viewer's clock."""

    planned_start = DateTimeLocalField("Planned start", validators=[Optional()])
    planned_end = DateTimeLocalField("Planned end", validators=[Optional()])


def as_utc(moment: datetime | None) -> datetime | None:
    """A time typed on the viewer's wall clock as a stored (naive UTC) instant."""
    if moment is None:
        return None
    return moment.replace(tzinfo=viewer_zone()).astimezone(UTC).replace(tzinfo=None)
