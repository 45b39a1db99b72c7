"""Admin page of the monitoring payloads as received (helpdesk.alerts keeps every one raw):
newest first, filtered by outcome, each with who sent it, what became of it, the error of a
malformed or failed one, its incident, and the payload itself to read."""

from __future__ import annotations

from flask import render_template, request

from helpdesk import bounds
from helpdesk.alerts.recording import BY_WEIGHT, FAILED, MALFORMED
from helpdesk.reads.received_alerts import received_query
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.numbers import page_number
from helpdesk.web.roles import admin_required

PAGE_SIZE = 25
# The outcomes to filter by, the ones to look into first.
OUTCOMES = (MALFORMED, FAILED, *BY_WEIGHT)
# A payload is shown up to this many characters; the rest stays in the database.
SHOWN_MAX = 20_000


@bp.get("/alerts")
@admin_required
def received_alerts() -> str:
    """One page of received payloads, all or of one outcome."""
    outcome = request.args.get("outcome", "")
    chosen = outcome if outcome in OUTCOMES else None
    listing = bounds.paginate(received_query(chosen), page_number(), PAGE_SIZE)
    return render_template(
        "admin/received_alerts.html",
        listing=listing,
        outcomes=OUTCOMES,
        outcome=chosen,
        shown_max=SHOWN_MAX,
    )
