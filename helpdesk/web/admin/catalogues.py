"""Admin pages for the catalogues (categories and services): create, rename, retire.

Both catalogues share these views; the URL names which one ("categories" or "services").
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk import directory
from helpdesk.incidents import DomainError
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.admin.forms import ActiveForm, EntryForm
from helpdesk.web.roles import admin_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable

Outcome = Response | tuple[str, int]


def _spec_or_404(kind: str) -> directory.Catalogue:
    """The catalogue a URL names, or answer 404."""
    if kind not in directory.CATALOGUES:
        abort(404)
    return directory.CATALOGUES[kind]


def _render(kind: str, status: int = 200, **submitted: FlaskForm) -> tuple[str, int]:
    """The catalogue page: every entry with rename and retire forms, and the create form."""
    entries = directory.entries(kind)
    forms = {
        "create": EntryForm(formdata=None, prefix="new"),
        **{f"e{e.id}": EntryForm(formdata=None, prefix=f"e{e.id}", obj=e) for e in entries},
    } | submitted
    page = render_template(
        "admin/catalogue.html",
        kind=kind,
        spec=directory.CATALOGUES[kind],
        entries=entries,
        forms=forms,
    )
    return page, status


@bp.get("/catalogues/<kind>")
@admin_required
def catalogue(kind: str) -> tuple[str, int]:
    """List a catalogue's entries, active first."""
    _spec_or_404(kind)
    return _render(kind)


@bp.post("/catalogues/<kind>")
@admin_required
def create_entry(kind: str) -> Outcome:
    """Add an entry to a catalogue."""
    spec = _spec_or_404(kind)
    form = EntryForm(prefix="new")
    if form.validate_on_submit():
        try:
            created = directory.create_entry(me(), kind, form.name.data)
        except DomainError as error:
            refused(error)
        else:
            flash(f"Added the {spec.singular} {created.name}.", "success")
            return redirect(url_for("admin.catalogue", kind=kind))
    else:
        unreadable(form)
    return _render(kind, UNPROCESSABLE, create=form)


@bp.post("/catalogues/<kind>/<int:entry_id>")
@admin_required
def rename_entry(kind: str, entry_id: int) -> Outcome:
    """Rename an entry."""
    spec = _spec_or_404(kind)
    form = EntryForm(prefix=f"e{entry_id}")
    if form.validate_on_submit():
        try:
            renamed = directory.rename_entry(me(), kind, entry_id, form.name.data)
        except DomainError as error:
            refused(error)
        else:
            flash(f"Renamed the {spec.singular} to {renamed.name}.", "success")
            return redirect(url_for("admin.catalogue", kind=kind))
    else:
        unreadable(form)
    return _render(kind, UNPROCESSABLE, **{f"e{entry_id}": form})


@bp.post("/catalogues/<kind>/<int:entry_id>/active")
@admin_required
def set_entry_active(kind: str, entry_id: int) -> Response:
    """Retire an entry, or bring a retired one back."""
    spec = _spec_or_404(kind)
    form = ActiveForm()
    if form.validate_on_submit():
        try:
            changed = directory.set_entry_active(me(), kind, entry_id, form.wanted())
        except DomainError as error:
            refused(error)
        else:
            state = "offered again" if changed.active else "retired"
            flash(f"The {spec.singular} {changed.name} is {state}.", "success")
    return redirect(url_for("admin.catalogue", kind=kind))
