"""Knowledge base forms: search, feedback, the article editor and its actions."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from helpdesk.bounds import parse_id
from helpdesk.kb.service import NOTE_MAX, SUMMARY_MAX, TITLE_MAX, ArticleContent
from helpdesk.models import Category, KnowledgeArticle
from helpdesk.models.kb import AGENTS, ARTICLE_STATUSES, PUBLIC
from helpdesk.web.numbers import optional_int


class SearchForm(FlaskForm):
    """The search box and its filters, read from the query string (no CSRF: a GET)."""

    class Meta:
        csrf = False

    q = StringField("Search the help articles", validators=[Optional(), Length(max=200)])
    category = SelectField(
        "Category", coerce=optional_int, validate_choice=False, validators=[Optional()]
    )
    page = IntegerField("Page", default=1, validators=[Optional()])

    def offer(self, categories: Sequence[Category]) -> None:
        """Offer the categories that have articles."""
        self.category.choices = [
            SelectChoice("", "All categories"),
            *(SelectChoice(c.id, c.name) for c in categories),
        ]

    @property
    def page_number(self) -> int:
        """The page asked for, at least 1 (nonsense means the first page)."""
        return max(self.page.data or 1, 1) if not self.page.errors else 1


class FeedbackForm(FlaskForm):
    """ "Was this helpful?": the Yes and No buttons submit `helpful`."""

    helpful = HiddenField(validators=[AnyOf(["yes", "no"], message="Choose yes or no.")])


class ArticleForm(FlaskForm):
    """Everything an editor writes; the buttons pressed are read from the request."""

    title = StringField(
        "Title",
        validators=[DataRequired("Please give the article a title."), Length(max=TITLE_MAX)],
    )
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=SUMMARY_MAX)])
    body = TextAreaField("Article", validators=[DataRequired("Please write the article.")])
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    tags = StringField("Tags", validators=[Optional(), Length(max=500)])
    audience = RadioField(
        "Who can read it",
        choices=[
            SelectChoice(PUBLIC, "Everyone (users and visitors)"),
            SelectChoice(AGENTS, "Agents only"),
        ],
        default=PUBLIC,
        validate_choice=False,
    )
    note = StringField("What did you change?", validators=[Optional(), Length(max=NOTE_MAX)])
    base_revision = HiddenField()

    def offer(self, categories: Sequence[Category]) -> None:
        """Fill the category choices."""
        self.category.choices = [
            SelectChoice("", "No category"),
            *(SelectChoice(c.id, c.name) for c in categories),
        ]

    def load(self, article: KnowledgeArticle, base_revision: int) -> None:
        """Fill a blank form from an article."""
        self.title.data = article.title
        self.summary.data = article.summary
        self.body.data = article.body_markdown
        self.category.data = article.category_id
        self.tags.data = ", ".join(article.tag_list)
        self.audience.data = article.audience
        self.base_revision.data = str(base_revision)

    def content(self) -> ArticleContent:
        """The form as the service layer's article content."""
        return ArticleContent(
            title=self.title.data or "",
            body_markdown=self.body.data or "",
            summary=self.summary.data or "",
            category_id=self.category.data,
            tags=self.tags.data or "",
            audience=self.audience.data or PUBLIC,
        )

    @property
    def based_on(self) -> int | None:
        """The revision the editor started from, if the form carried one."""
        return parse_id(self.base_revision.data or "")


class StatusForm(FlaskForm):
    """Publish, unpublish or archive: the button carries the target status."""

    target = HiddenField(validators=[AnyOf(list(ARTICLE_STATUSES), message="Unknown status.")])


class DeleteForm(FlaskForm):
    """Deleting for good: a form so it carries the CSRF token."""
