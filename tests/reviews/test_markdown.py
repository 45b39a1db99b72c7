"""The Markdown export: a pure function of the review, its timeline and its impact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from helpdesk.reads.review_impact import Breach, Impact, impact
from helpdesk.reads.review_markdown import as_markdown
from helpdesk.reads.review_timeline import Entry, timeline
from helpdesk.reviews import action_items, editing
from helpdesk.reviews.action_items import ActionItem

T0 = datetime(2026, 11, 30, 9, 0)


def test_the_document_has_every_section_in_order(app, agent, review):
    editing.edit(review, agent, {"summary": "VPN down.", "root_cause": "Expired | certificate"})
    action_items.add(review, agent, ActionItem("Alert on expiry", agent.id, date(2026, 12, 1)))
    entries = [
        Entry(T0, "audit", "Ann", "Opened (priority 1)"),
        Entry(T0 + timedelta(minutes=5), "public_update", None, "Public update: a | b\nc"),
    ]
    found = Impact(
        T0,
        T0 + timedelta(hours=2, minutes=30),
        12,
        ["Mail", "VPN"],
        [Breach("INC-000009", "response", T0 + timedelta(minutes=30))],
    )
    text = as_markdown(review, entries, found)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        f"# Post-incident review: {review.incident.reference} VPN down",
        "## Summary",
        "## Timeline",
        "## Impact",
        "## Root cause",
        "## What went well",
        "## What to improve",
        "## Action items",
    ]
    assert "Status: draft. Facilitator: Alice Agent." in text
    assert "| 2026-11-30 09:00 UTC | audit | Ann | Opened (priority 1) |" in text
    assert "| 2026-11-30 09:05 UTC | public update | helpdesk | Public update: a \\| b c |" in text
    assert "- Duration: 2h30m" in text
    assert "- People affected: 12" in text
    assert "- Services: Mail, VPN" in text
    assert "  - INC-000009: response target at 2026-11-30 09:30 UTC" in text
    assert "Expired | certificate" in text
    assert "_Not written yet._" in text  # what went well
    assert "| Alert on expiry | Alice Agent | 2026-12-01 | open | - |" in text


def test_the_document_of_a_real_review_reads_its_reads(app, agent, review):
    text = as_markdown(review, timeline(review.incident), impact(review.incident))
    assert "| audit | Alice Agent | Resolved |" in text
    assert "_None yet._" in text
