"""Every incident's report facts kept current in the same transaction as each change.

Whatever writes an incident (the incident service, the SLA scheduler, a merge, the import
of history) flushes the incident or an audit event about it. The session remembers those
incidents at each flush and, just before the transaction commits, derives their facts
again from the trail (helpdesk.reports.facts) and stores what changed: a report never
sees a change without its measures, and nothing has to remember to call this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import Any

from flask import has_app_context
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, IncidentFacts, IncidentOpenSpan, utcnow
from helpdesk.models.audit import INCIDENT
from helpdesk.reads.report_scope import zone_pending
from helpdesk.reports import summary_rows
from helpdesk.reports.facts import FACT_NAMES, Derived, Span, derive
from helpdesk.reports.summary import contributions, difference
from helpdesk.sla_policies.clocks import clock_of

PENDING = "report_facts_pending"
BATCH = 500


def keep_current() -> None:
    """Register the session hooks (the composition root calls this; once is enough)."""
    if not event.contains(Session, "after_flush", _remember):
        event.listen(Session, "after_flush", _remember)
        event.listen(Session, "before_commit", _refresh_pending)
        event.listen(Session, "after_rollback", _forget)


def _remember(session: Session, _context: Any) -> None:
    """Note the incidents this flush wrote, or wrote an audit event about."""
    if not _ours(session):
        return
    touched = session.info.setdefault(PENDING, set())
    for row in (*session.new, *session.dirty):
        if isinstance(row, Incident):
            touched.add(row.id)
        elif isinstance(row, AuditEvent) and row.subject_type == INCIDENT:
            touched.add(row.subject_id)


def _refresh_pending(session: Session) -> None:
    """Bring the noted incidents' facts up to date before the commit (the outermost one:
    a savepoint's release leaves them for it, so the summary rows are locked only at the
    very end of a transaction and two transactions never wait on each other for them)."""
    if not _ours(session) or session.in_nested_transaction():
        return
    session.flush()
    pending = session.info.pop(PENDING, set())
    if pending:
        refresh(pending)
        session.flush()
        session.info.pop(PENDING, None)


def _forget(session: Session) -> None:
    """A rolled-back transaction leaves nothing to refresh."""
    session.info.pop(PENDING, None)


def _ours(session: Session) -> bool:
    """Only the app's own session keeps facts (not a read-only session of an export)."""
    return has_app_context() and session is db.session()


def rebuild(missing_only: bool = False, done: Callable[[int], None] | None = None) -> int:
    """Derive the facts of every incident again, a batch per transaction, then count the
    daily summary again from them; with `missing_only`, derive only the incidents that have
    no facts (after the upgrade that added them), and count the summary again only when
    the reporting zone changed. `done` hears how many each batch held. Returns how many
    incidents were derived."""
    wanted = incidents_to_derive(missing_only)
    for at in range(0, len(wanted), BATCH):
        with transaction():
            refresh(wanted[at : at + BATCH])
        if done is not None:
            done(len(wanted[at : at + BATCH]))
    if not missing_only or zone_pending() is not None:
        with transaction():
            summary_rows.recount()
    return len(wanted)


def incidents_to_derive(missing_only: bool) -> list[int]:
    """The ids of every incident, or of those that have no facts yet, in order."""
    ids = select(Incident.id).order_by(Incident.id)
    if missing_only:
        has_facts = select(IncidentFacts.incident_id).where(
            IncidentFacts.incident_id == Incident.id
        )
        ids = ids.where(~has_facts.exists())
    return list(db.session.scalars(ids))


def refresh(incident_ids: Iterable[int], now: datetime | None = None) -> None:
    """Derive and store the facts of these incidents (those since deleted are skipped)."""
    now = now or utcnow()
    ids = sorted(incident_ids)
    for batch in (ids[at : at + BATCH] for at in range(0, len(ids), BATCH)):
        incidents = db.session.scalars(select(Incident).where(Incident.id.in_(batch))).all()
        trails = _trails([incident.id for incident in incidents])
        zone = summary_rows.summary_zone()
        for incident in incidents:
            trail = trails.get(incident.id, [])
            clock = clock_of(incident, now, trail) if trail else None
            _store(incident.id, derive(incident, trail, clock), zone)


def _trails(ids: list[int]) -> dict[int, list[AuditEvent]]:
    """The audit trails of these incidents, each in order, in one query."""
    trails: dict[int, list[AuditEvent]] = {}
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.about_any(INCIDENT, ids))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    for row in rows:
        trails.setdefault(row.subject_id, []).append(row)
    return trails


def _store(incident_id: int, derived: Derived, zone: tzinfo) -> None:
    """Write the facts row and the open spans, leaving untouched what did not change, and
    add the difference they make to the daily summary."""
    row = db.session.get(IncidentFacts, incident_id)
    stored_spans = _spans(incident_id)
    before = {name: getattr(row, name) for name in FACT_NAMES} if row is not None else None
    if row is None:
        row = IncidentFacts(incident_id=incident_id)
        db.session.add(row)
    for name, value in derived.facts.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    if stored_spans != derived.spans:
        _replace_spans(incident_id, derived.spans)
    summary_rows.add(
        difference(
            contributions(derived.facts, derived.spans, zone),
            contributions(before, stored_spans, zone),
        )
    )


def _spans(incident_id: int) -> list[Span]:
    """The incident's stored open spans, in order."""
    stored = db.session.execute(
        select(IncidentOpenSpan.started_at, IncidentOpenSpan.ended_at)
        .where(IncidentOpenSpan.incident_id == incident_id)
        .order_by(IncidentOpenSpan.started_at)
    )
    return [(start, end) for start, end in stored]


def _replace_spans(incident_id: int, spans: list[Span]) -> None:
    """Make the incident's stored open spans these."""
    db.session.execute(delete(IncidentOpenSpan).where(IncidentOpenSpan.incident_id == incident_id))
    db.session.add_all(
        IncidentOpenSpan(incident_id=incident_id, started_at=start, ended_at=end)
        for start, end in spans
    )
