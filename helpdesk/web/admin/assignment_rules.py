"""Admin pages for the assignment rules: the list in the order they are tried, a form to
add one, a page to change one, and buttons to move a rule up or down or delete it. The rules
themselves (what a rule needs, duplicates) are checked by helpdesk.automation.
assignment_rules, whose message the admin sees."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectChoice, SelectField

from helpdesk.automation import assignment_rules
from helpdesk.extensions import db
from helpdesk.incidents import DomainError
from helpdesk.models import ASSIGN_WITHIN, AssignmentRule, Category, Service, Team
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.numbers import optional_int
from helpdesk.web.roles import admin_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable

Outcome = Response | tuple[str, int]
# How each team hands out what a rule gives it, as the list says it.
WITHIN_WORDS = dict(
    zip(ASSIGN_WITHIN, ("its queue", "its agents in turn", "its least busy agent"), strict=True)
)


class RuleForm(FlaskForm):
    """A new rule: the category and/or the service it matches, and the team it gives to."""

    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    service = SelectField("Service", coerce=optional_int, validate_choice=False)
    team = SelectField("Team", coerce=optional_int, validate_choice=False)

    def offer(self) -> RuleForm:
        """Fill the choices: every category, service and team by name ("any" for the first
        two, which a rule may leave out)."""
        for name, model, blank in (
            ("category", Category, "Any category"),
            ("service", Service, "Any service"),
            ("team", Team, "Choose a team"),
        ):
            rows = db.session.execute(select(model.id, model.name).order_by(model.name))
            getattr(self, name).choices = [
                SelectChoice("", blank),
                *(SelectChoice(str(ident), label) for ident, label in rows),
            ]
        return self


class MoveForm(FlaskForm):
    """Move a rule one place; the direction travels with the click."""

    direction = HiddenField()


def _render(form: RuleForm | None = None, status: int = 200) -> tuple[str, int]:
    """The page: the rules in order, and the form to add one."""
    page = render_template(
        "admin/assignment_rules.html",
        rules=assignment_rules.rules(),
        form=(form or RuleForm(formdata=None)).offer(),
        button=ButtonForm(formdata=None),
        within=WITHIN_WORDS,
    )
    return page, status


@bp.get("/assignment-rules")
@admin_required
def rules() -> tuple[str, int]:
    """List the assignment rules in the order they are tried."""
    return _render()


@bp.post("/assignment-rules")
@admin_required
def create_rule() -> Outcome:
    """Add a rule, tried after the others."""
    form = RuleForm()
    if form.validate_on_submit():
        try:
            rule = assignment_rules.create_rule(
                me(), form.team.data, form.category.data, form.service.data
            )
        except DomainError as error:
            refused(error)
        else:
            return _saved(rule)
    else:
        unreadable(form)
    return _render(form, UNPROCESSABLE)


def _saved(rule: AssignmentRule) -> Response:
    """Back to the list, saying what the saved rule now does."""
    described = assignment_rules.describe(rule)
    flash(f"Incidents of {described} now go to {rule.team.name}.", "success")
    return redirect(url_for("admin.rules"))


def _rule_or_404(rule_id: int) -> AssignmentRule:
    """The rule a URL names, or 404."""
    try:
        return assignment_rules.rule_by_id(rule_id)
    except DomainError:
        abort(404)


def _render_rule(rule: AssignmentRule, form: RuleForm, status: int = 200) -> tuple[str, int]:
    """One rule's page: the form to change what it matches and where it sends incidents."""
    page = render_template("admin/assignment_rule.html", rule=rule, form=form.offer())
    return page, status


@bp.route("/assignment-rules/<int:rule_id>", methods=["GET", "POST"])
@admin_required
def rule(rule_id: int) -> Outcome:
    """Show a rule with its fields filled in; a POST changes what it matches and the team it
    gives to (its place in the order stays)."""
    found = _rule_or_404(rule_id)
    form = RuleForm()
    if not form.is_submitted():
        filled = {"category": found.category_id, "service": found.service_id, "team": found.team_id}
        return _render_rule(found, RuleForm(formdata=None, data=filled))
    if form.validate_on_submit():
        try:
            assignment_rules.update_rule(
                me(), rule_id, form.team.data, form.category.data, form.service.data
            )
        except DomainError as error:
            refused(error)
        else:
            return _saved(found)
    else:
        unreadable(form)
    return _render_rule(found, form, UNPROCESSABLE)


@bp.post("/assignment-rules/<int:rule_id>/move")
@admin_required
def move_rule(rule_id: int) -> Response:
    """Try a rule one place earlier or later."""
    form = MoveForm()
    if form.validate_on_submit():
        try:
            assignment_rules.move_rule(me(), rule_id, form.direction.data or "")
        except DomainError as error:
            refused(error)
    else:
        unreadable(form)
    return redirect(url_for("admin.rules"))


@bp.post("/assignment-rules/<int:rule_id>/delete")
@admin_required
def delete_rule(rule_id: int) -> Response:
    """Delete a rule (incidents it assigned keep their team)."""
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            assignment_rules.delete_rule(me(), rule_id)
        except DomainError as error:
            refused(error)
        else:
            flash("Rule deleted.", "success")
    else:
        unreadable(form)
    return redirect(url_for("admin.rules"))
