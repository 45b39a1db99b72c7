"""Portal pages: my incidents, reporting a new one, and one incident's page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from helpdesk import incidents
from helpdesk.core.settings import settings
from helpdesk.incidents import DomainError
from helpdesk.incidents.attachments import new_attachments
from helpdesk.kb import deflection
from helpdesk.reads import my_incidents
from helpdesk.reads.related_records import Report, ongoing_outages
from helpdesk.web.lookup import incident_for
from helpdesk.web.portal.blueprint import bp
from helpdesk.web.portal.forms import IncidentForm
from helpdesk.web.portal.page import render_incident, upload_limits
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused


@bp.get("/incidents")
@login_required
def index() -> str:
    """List the incidents I reported or take part in, open or closed, latest activity first."""
    tab = request.args.get("tab", my_incidents.DEFAULT_TAB)
    if tab not in my_incidents.TABS:
        tab = my_incidents.DEFAULT_TAB
    page = max(request.args.get("page", 1, type=int), 1)
    copied = my_incidents.copied_on(me())
    listing = my_incidents.my_incidents(me(), tab, page, settings().site.page_size, copied)
    return render_template(
        "portal/index.html",
        tab=tab,
        listing=listing,
        waiting=my_incidents.awaiting_confirmation(me(), copied),
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
@login_required
def new_incident() -> Response | tuple[str, int]:
    """Report an incident; a refused report shows the form again with everything typed kept."""
    form = IncidentForm()
    form.offer(my_incidents.active_categories(), my_incidents.active_services())
    if form.validate_on_submit():
        try:
            incident = incidents.open_incident(
                me(), form.report(new_attachments(form.attachments.data or []))
            )
        except DomainError as error:
            refused(error)
        else:
            deflection.record_filed(me(), incident, form.shown_articles.data)
            flash(f"Incident {incident.reference} has been reported.", "success")
            return redirect(url_for("portal.incident", reference=incident.reference))
    status = UNPROCESSABLE if form.is_submitted() else 200
    report = Report(form.subject.data or "", form.description.data or "", form.service.data)
    page = render_template(
        "portal/new_incident.html",
        form=form,
        limits=upload_limits(),
        outages=ongoing_outages(report),
    )
    return page, status


@bp.get("/incidents/<reference>")
@login_required
def incident(reference: str) -> tuple[str, int]:
    """Show one of my incidents: facts, the public conversation and what I can do next."""
    return render_incident(incident_for(me(), reference), me())
