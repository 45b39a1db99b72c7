"""Admin pages for SLA calendars and policies: list, create, edit, delete, and the TOML file
that `helpdesk sla export` and `helpdesk sla import` write and read, downloaded and uploaded.

The store (helpdesk.sla_policies.store) checks every value with the parsers the clock uses;
its message, which names the field at fault, is what the admin sees.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from helpdesk import directory
from helpdesk.core.errors import DomainError, InvalidInput, NotFound
from helpdesk.models import SlaCalendar, SlaPolicy
from helpdesk.sla_policies import store, toml_files
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.admin.forms import ButtonForm, CalendarForm, ImportForm, PolicyForm
from helpdesk.web.roles import admin_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable

Outcome = Response | tuple[str, int]
EXPORT_NAME = "sla-policies.toml"


def _calendar_or_404(calendar_id: int) -> SlaCalendar:
    """Load the calendar a URL names, or answer 404."""
    try:
        return store.calendar(calendar_id)
    except NotFound:
        abort(404)


def _policy_or_404(policy_id: int) -> SlaPolicy:
    """Load the policy a URL names, or answer 404."""
    try:
        return store.policy(policy_id)
    except NotFound:
        abort(404)


def _status(form: FlaskForm) -> int:
    """A page shown again with a refused form is a 422; a first look is a 200."""
    return UNPROCESSABLE if form.is_submitted() else 200


def _policy_form(row: SlaPolicy | None = None) -> PolicyForm:
    """The policy form, filled from `row` (or the defaults), offering today's choices."""
    form = PolicyForm(data=PolicyForm.initial(row) if row is not None else None)
    form.offer(store.calendars(), directory.entries("services"), directory.entries("categories"))
    return form


@bp.get("/sla")
@admin_required
def sla() -> tuple[str, int]:
    """The calendars and policies, what each policy applies to, export and import."""
    return _render_sla(ImportForm(formdata=None))


def _render_sla(import_form: ImportForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "admin/sla.html",
        calendars=store.calendars(),
        policies=store.policies(),
        import_form=import_form,
    )
    return page, status


@bp.route("/sla/calendars/new", methods=["GET", "POST"])
@admin_required
def new_calendar() -> Outcome:
    """Create a calendar."""
    form = CalendarForm()
    if form.validate_on_submit():
        try:
            created = store.create_calendar(me(), form.name.data or "", form.spec())
        except DomainError as error:
            refused(error)
        else:
            flash(f"Added the calendar {created.name}.", "success")
            return redirect(url_for("admin.sla"))
    elif form.is_submitted():
        unreadable(form)
    return render_template("admin/sla_calendar.html", form=form, row=None), _status(form)


@bp.route("/sla/calendars/<int:calendar_id>", methods=["GET", "POST"])
@admin_required
def edit_calendar(calendar_id: int) -> Outcome:
    """Show a calendar; a POST changes it."""
    row = _calendar_or_404(calendar_id)
    form = CalendarForm(data=CalendarForm.initial(row))
    if form.validate_on_submit():
        try:
            store.update_calendar(me(), row.id, form.name.data or "", form.spec())
        except DomainError as error:
            refused(error)
        else:
            flash(f"Saved the calendar {row.name}.", "success")
            return redirect(url_for("admin.sla"))
    elif form.is_submitted():
        unreadable(form)
    page = render_template("admin/sla_calendar.html", form=form, row=store.calendar(calendar_id))
    return page, _status(form)


@bp.post("/sla/calendars/<int:calendar_id>/delete")
@admin_required
def delete_calendar(calendar_id: int) -> Response:
    """Delete a calendar no policy uses."""
    row = _calendar_or_404(calendar_id)
    name = row.name
    if ButtonForm().validate_on_submit():
        try:
            store.delete_calendar(me(), row.id)
        except DomainError as error:
            refused(error)
        else:
            flash(f"Deleted the calendar {name}.", "success")
    return redirect(url_for("admin.sla"))


@bp.route("/sla/policies/new", methods=["GET", "POST"])
@admin_required
def new_policy() -> Outcome:
    """Create a policy."""
    form = _policy_form()
    if form.validate_on_submit():
        try:
            created = store.create_policy(me(), form.name.data or "", form.fields())
        except DomainError as error:
            refused(error)
        else:
            flash(f"Added the policy {created.name}.", "success")
            return redirect(url_for("admin.sla"))
    elif form.is_submitted():
        unreadable(form)
    return render_template("admin/sla_policy.html", form=form, row=None), _status(form)


@bp.route("/sla/policies/<int:policy_id>", methods=["GET", "POST"])
@admin_required
def edit_policy(policy_id: int) -> Outcome:
    """Show a policy; a POST changes it."""
    form = _policy_form(_policy_or_404(policy_id))
    if form.validate_on_submit():
        try:
            changed = store.update_policy(me(), policy_id, form.name.data or "", form.fields())
        except DomainError as error:
            refused(error)
        else:
            flash(f"Saved the policy {changed.name}.", "success")
            return redirect(url_for("admin.sla"))
    elif form.is_submitted():
        unreadable(form)
    page = render_template("admin/sla_policy.html", form=form, row=store.policy(policy_id))
    return page, _status(form)


@bp.post("/sla/policies/<int:policy_id>/delete")
@admin_required
def delete_policy(policy_id: int) -> Response:
    """Delete a policy other than the default."""
    row = _policy_or_404(policy_id)
    name = row.name
    if ButtonForm().validate_on_submit():
        try:
            store.delete_policy(me(), row.id)
        except DomainError as error:
            refused(error)
        else:
            flash(f"Deleted the policy {name}.", "success")
    return redirect(url_for("admin.sla"))


@bp.get("/sla/export.toml")
@admin_required
def export_sla() -> Response:
    """Every calendar and policy as the TOML file `helpdesk sla export` writes."""
    response = Response(toml_files.export_toml(), mimetype="application/toml")
    response.headers["Content-Disposition"] = f'attachment; filename="{EXPORT_NAME}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/sla/import")
@admin_required
def import_sla() -> Outcome:
    """Make the calendars and policies those of an uploaded TOML file, or change nothing."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            summary = toml_files.import_toml(_uploaded_text(form.file.data), me())
        except DomainError as error:
            refused(error)
        else:
            said = ", ".join(
                f"{len(getattr(summary, what))} {what}"
                for what in ("created", "updated", "deleted")
            )
            flash(f"Imported the file: {said}.", "success")
            return redirect(url_for("admin.sla"))
    else:
        unreadable(form)
    return _render_sla(form, UNPROCESSABLE)


def _uploaded_text(upload: FileStorage | None) -> str:
    """The uploaded file as text; a missing or non-UTF-8 file is refused."""
    if upload is None or not upload.filename:
        raise InvalidInput("Choose a TOML file to import.")
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("The file is not UTF-8 text, as TOML files are.") from error
