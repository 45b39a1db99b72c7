"""Queue pages: the agent's lists of incidents, filtered, searched, sorted, keyset-paged."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from helpdesk import directory
from helpdesk.core.settings import settings
from helpdesk.models import utcnow
from helpdesk.reads import incident_search, problem_hints, queues
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.forms import QueueFilterForm
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import me

# Query-string keys that are part of a page position, not of the filter.
CURSOR_KEYS = ("after", "before")

EMPTY_TEXTS = {
    "unassigned": "Every open incident has an agent working on it.",
    "mine": "Nothing is assigned to you right now.",
    "team": "Your teams have no open incidents.",
    "open": "There are no open incidents.",
    "on_hold": "No incident is on hold.",
    "breaching": "No SLA target is warned or due within the hour.",
    "resolved": f"Nothing was resolved in the last {queues.RECENTLY_RESOLVED_DAYS} days.",
    "review": "No mail from people outside an incident is waiting for review.",
}


@bp.get("/queues/<name>")
@agent_required
def queue(name: str) -> Response | str:
    """Show one queue page; a search for an existing reference opens that incident."""
    if name not in queues.QUEUES:
        abort(404)
    form = QueueFilterForm(formdata=request.args)
    sorts = queues.sorts_for(name, form.search_text())
    form.offer(directory.entries("categories"), directory.teams(), directory.agents(), sorts)
    form.validate()
    filters = form.filters()
    if incident_search.reference_candidates(filters.q) is not None:
        found = incident_search.find_by_reference(filters.q)
        if found is not None:
            return redirect(url_for("agent.incident", reference=found.reference))
    sort = form.chosen_sort()
    listing = queues.Listing(
        queue=name,
        viewer=me(),
        filters=filters,
        sort=sort,
        after=queues.Cursor.decode(request.args.get("after"), sorts[sort]),
        before=queues.Cursor.decode(request.args.get("before"), sorts[sort]),
        size=settings().site.page_size,
    )
    kept = {k: v for k, v in request.args.items() if k not in CURSOR_KEYS and v}
    return render_template(
        "agent/queue.html",
        name=name,
        queue_labels=queues.QUEUES,
        sort_label=sorts[sort].label,
        empty_texts=EMPTY_TEXTS,
        now=utcnow(),
        time_left=queues.time_left,
        form=form,
        filters=filters,
        page=queues.load_page(listing),
        counts=queues.queue_counts(me()),
        recurring=problem_hints.recurring_now(utcnow()),
        kept=kept,
        filtered=any(k != "sort" for k in kept),
    )
