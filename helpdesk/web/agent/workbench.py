"""The incident workbench: everything about one incident and every action allowed on it.

The page is rendered by the GET view and again by any refused action, which passes its
form back in so the agent's typing is kept next to the service layer's message.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_wtf import FlaskForm

from helpdesk import alerts, directory, incidents
from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.incidents import guard
from helpdesk.kb import incident_links
from helpdesk.models import Incident, User, utcnow
from helpdesk.permissions import CONSOLE_ACTIONS, Action
from helpdesk.reads import related_records, similar_incidents
from helpdesk.reads.conversation import thread
from helpdesk.web.agent import audit_trail, originals
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.changes import change_panel
from helpdesk.web.agent.forms import (
    AssignForm,
    CancelForm,
    ClassifyForm,
    EscalateForm,
    MessageForm,
    ReferenceForm,
    ResolveForm,
    StatusForm,
)
from helpdesk.web.agent.major_incidents import major_incident_panel
from helpdesk.web.agent.problems import problem_panel
from helpdesk.web.agent.reviews import review_panel
from helpdesk.web.agent.sla_timeline import sla_timeline
from helpdesk.web.lookup import incident_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me


def offered(incident: Incident, agent: User) -> frozenset[Action]:
    """The console's actions the policy allows `agent` now, which the services enforce."""
    return guard.actions_for(agent, incident) & CONSOLE_ACTIONS


def blank_forms(incident: Incident) -> dict[str, FlaskForm]:
    """Every action form, unsubmitted, filled with the incident's current values."""
    return {
        "reply_form": MessageForm(formdata=None, prefix="reply"),
        "note_form": MessageForm(formdata=None, prefix="note"),
        "assign_form": AssignForm(
            formdata=None,
            prefix="assign",
            team=incident.assigned_team_id,
            agent=incident.assigned_agent_id,
        ),
        "escalate_form": EscalateForm(
            formdata=None,
            prefix="escalate",
            team=incident.assigned_team.escalation_team_id if incident.assigned_team else None,
        ),
        "classify_form": ClassifyForm(
            formdata=None,
            prefix="classify",
            impact=incident.impact,
            urgency=incident.urgency,
            category=incident.category_id,
            service=incident.service_id,
            priority=incident.priority if incident.priority_override_reason else None,
            reason=incident.priority_override_reason,
        ),
        "status_form": StatusForm(formdata=None, prefix="status"),
        "resolve_form": ResolveForm(formdata=None, prefix="resolve"),
        "cancel_form": CancelForm(formdata=None, prefix="cancel"),
        "link_form": ReferenceForm(formdata=None, prefix="link"),
        "merge_form": ReferenceForm(formdata=None, prefix="merge"),
    }


def _offer_choices(incident: Incident, forms: dict[str, FlaskForm]) -> None:
    """Fill the select options of the forms that have them."""
    forms["assign_form"].offer(directory.teams(), directory.agents())
    forms["escalate_form"].offer(directory.teams())
    forms["classify_form"].offer(
        incident, directory.entries("categories"), directory.entries("services")
    )
    forms["status_form"].offer(incident)
    forms["resolve_form"].offer()


def upload_hint() -> str:
    """The attachment limits the service layer enforces, in words."""
    limits = settings().limits
    return f"Up to {limits.max_attachments} files, at most {limits.max_upload_mb} MB each."


def render_workbench(
    incident: Incident, status: int = 200, **submitted: FlaskForm
) -> tuple[str, int]:
    """Render the workbench with blank forms, except a refused one passed in with its input."""
    forms = blank_forms(incident) | submitted
    _offer_choices(incident, forms)
    reopened_from = (
        db.session.get(Incident, incident.reopened_from_id) if incident.reopened_from_id else None
    )
    messages = thread(incident)
    page = render_template(
        "agent/incident.html",
        incident=incident,
        thread=messages,
        originals=originals.with_originals(messages),
        trail=audit_trail.trail_of(incident),
        related=incidents.related(incident),
        possibly_related=similar_incidents.possibly_related(incident),
        **related_records.for_incident(incident),
        reopened_from=reopened_from,
        alert=alerts.alert_facts(incident),
        allowed=offered(incident, me()),
        Action=Action,
        upload_hint=upload_hint(),
        refused=list(submitted),
        now=utcnow(),
        **sla_timeline(incident, utcnow()),
        **knowledge(incident),
        **major_incident_panel(incident),
        **problem_panel(incident),
        **change_panel(incident),
        **review_panel(incident),
        **forms,
    )
    return page, status


def knowledge(incident: Incident) -> dict[str, Any]:
    """The articles suggested for the incident and those linked to it, with how many
    incidents each was linked to."""
    suggested = incident_links.suggested_for(incident)
    linked = incident_links.linked_articles(incident)
    counts = incident_links.incident_counts([r.article for r in suggested] + linked)
    return {"suggested_articles": suggested, "linked_articles": linked, "link_counts": counts}


@bp.get("/incidents/<reference>")
@agent_required
def incident(reference: str) -> tuple[str, int]:
    """Show one incident with its thread, facts, relations, audit trail and actions."""
    return render_workbench(incident_or_404(reference))
