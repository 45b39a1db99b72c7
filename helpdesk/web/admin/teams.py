"""Admin pages for teams: list and create, edit name/description/service desk, the lead,
the escalation team and how incidents are assigned within the team, members."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from helpdesk import directory
from helpdesk.incidents import DomainError
from helpdesk.models import Team
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.admin.forms import ButtonForm, MemberForm, TeamForm
from helpdesk.web.roles import admin_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable

Outcome = Response | tuple[str, int]


def _team_or_404(team_id: int) -> Team:
    """Load the team a URL names, or answer 404."""
    try:
        return directory.team(team_id)
    except DomainError:
        abort(404)


def _render_teams(form: TeamForm, status: int = 200) -> tuple[str, int]:
    """The team list with the create form."""
    return render_template("admin/teams.html", teams=directory.teams(), form=form), status


def _render_team(team: Team, status: int = 200, **submitted: object) -> tuple[str, int]:
    """One team's page: its details form, members and the add-member form."""
    member_form = MemberForm(formdata=None)
    member_form.offer(a for a in directory.agents() if a not in team.members)
    form = submitted.pop("form", None)
    if not isinstance(form, TeamForm):
        form = TeamForm(formdata=None, data=TeamForm.initial(team))
    form.offer(team, directory.teams())
    forms = {"form": form, "member_form": member_form} | submitted
    return render_template("admin/team.html", team=team, **forms), status


@bp.get("/teams")
@admin_required
def teams() -> tuple[str, int]:
    """List the teams with their members and offer to create one."""
    return _render_teams(TeamForm(formdata=None))


@bp.post("/teams")
@admin_required
def create_team() -> Outcome:
    """Create a team."""
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = directory.create_team(
                me(), form.name.data, form.description.data, form.is_service_desk.data
            )
        except DomainError as error:
            refused(error)
        else:
            flash(f"Team {team.name} created. Add its members now.", "success")
            return redirect(url_for("admin.team", team_id=team.id))
    else:
        unreadable(form)
    return _render_teams(form, UNPROCESSABLE)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@admin_required
def team(team_id: int) -> Outcome:
    """Show a team; a POST renames it, changes its description, service desk flag, lead,
    escalation team or assignment within it."""
    found = _team_or_404(team_id)
    form = TeamForm()
    if not form.is_submitted():
        return _render_team(found)
    if form.validate_on_submit():
        try:
            directory.update_team(
                me(),
                found.id,
                form.name.data,
                form.description.data,
                form.is_service_desk.data,
                form.routing(),
            )
        except DomainError as error:
            refused(error)
        else:
            flash(f"Saved team {found.name}.", "success")
            return redirect(url_for("admin.team", team_id=found.id))
    else:
        unreadable(form)
    return _render_team(_team_or_404(team_id), UNPROCESSABLE, form=form)


@bp.post("/teams/<int:team_id>/members")
@admin_required
def add_member(team_id: int) -> Outcome:
    """Add an agent to the team."""
    found = _team_or_404(team_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            person = directory.add_member(me(), found.id, form.user.data)
        except DomainError as error:
            refused(error)
        else:
            flash(f"{person.name} is now in {found.name}.", "success")
            return redirect(url_for("admin.team", team_id=found.id))
    else:
        unreadable(form)
    return _render_team(_team_or_404(team_id), UNPROCESSABLE, member_form=form)


@bp.post("/teams/<int:team_id>/members/<int:user_id>/delete")
@admin_required
def remove_member(team_id: int, user_id: int) -> Response:
    """Take someone out of the team."""
    found = _team_or_404(team_id)
    if ButtonForm().validate_on_submit():
        try:
            person = directory.remove_member(me(), found.id, user_id)
        except DomainError as error:
            refused(error)
        else:
            flash(f"{person.name} is no longer in {found.name}.", "success")
    return redirect(url_for("admin.team", team_id=found.id))
