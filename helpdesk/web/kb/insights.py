"""What the knowledge base is missing (admins): searches that found nothing, the most
frequent searches, the articles readers found unhelpful, and how often suggested
articles solved a problem before it was reported (the deflection rate)."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from helpdesk.kb import deflection
from helpdesk.models import utcnow
from helpdesk.reads import kb_articles
from helpdesk.web.kb.blueprint import bp
from helpdesk.web.roles import admin_required

PERIODS = (7, 30, 90)


@bp.get("/insights")
@admin_required
def insights() -> str:
    """The searches and deflections of the last 7, 30 or 90 days, and the least helpful
    articles."""
    days = request.args.get("days", 30, type=int)
    days = days if days in PERIODS else 30
    searches, misses = kb_articles.search_totals(days)
    since = utcnow() - timedelta(days=days)
    return render_template(
        "kb/insights.html",
        days=days,
        periods=PERIODS,
        searches=searches,
        misses=misses,
        missing=kb_articles.searches(days, missing=True),
        frequent=kb_articles.searches(days, missing=False),
        unhelpful=kb_articles.least_helpful(),
        deflections=deflection.deflection_rate(since),
        solvers=deflection.top_solvers(since),
    )
