"""The major-incident panel of the incident page (its public face, children, subscribers and
updates, or the form to declare it) and the agents' list of current and recent major
incidents; the panel's actions are in major_incident_actions."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_wtf import FlaskForm

from helpdesk import directory
from helpdesk.models import Incident, utcnow
from helpdesk.reads import major_incidents as majors
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import ReferenceForm
from helpdesk.web.agent.major_incident_forms import DeclareForm, ResolveMajorForm, UpdateForm
from helpdesk.web.roles import agent_required


def major_incident_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name: the major side (or None), its children,
    subscribers and updates, and blank forms (a refused one comes back in by its slot)."""
    major = majors.major_of(incident)
    panel: dict[str, Any] = {"major": major, "major_parent": incident.parent}
    if major is None:
        declare = DeclareForm(formdata=None, prefix="declare")
        declare.offer(directory.entries("services"))
        return panel | {"major_forms": {"declare": declare}}
    return panel | {
        "major_children": majors.children(major),
        "major_subscribers": majors.subscribers(major),
        "major_updates": majors.updates(major),
        "major_forms": _blank_forms(),
    }


def _blank_forms() -> dict[str, FlaskForm]:
    """The forms of a declared major incident, unsubmitted."""
    return {
        "attach": ReferenceForm(formdata=None, prefix="attach"),
        "update": UpdateForm(formdata=None, prefix="update"),
        "resolve": ResolveMajorForm(formdata=None, prefix="major-resolve"),
    }


@bp.get("/major-incidents")
@agent_required
def major_incident_list() -> str:
    """The current major incidents, then those resolved in the last seven days."""
    listed = majors.current_and_recent(utcnow())
    counts = majors.subscriber_counts(listed)
    return render_template("agent/major_incidents.html", majors=listed, counts=counts)
