"""Every incident's report facts kept current in the same transaction as each change.

Whatever writes an incident (the incident service, the SLA scheduler, a merge, the import
of history) flushes the incident or an audit event about it. The session remembers those
incidents at each flush and, just before the transaction commits, derives their facts
again from the trail (helpdesk.reports.facts) and stores what changed: a report never
sees a change without its measures, and nothing has to remember to call this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from flask import has_app_context
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, IncidentFacts, IncidentOpenSpan, utcnow
from helpdesk.models.audit import INCIDENT
from helpdesk.reads.report_scope import zone_pending
from helpdesk.reports import summary_rows
from helpdesk.reports.facts import FACT_NAMES, Derived, Span, derive
from helpdesk.reports.summary import Contributions, contributions, difference
from helpdesk.sla_policies.clocks import current_clock

PENDING = "report_facts_pending"
# The incidents inserted in this transaction: they have no facts or open spans to read.
FRESH = "report_facts_fresh"
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
    fresh = session.info.setdefault(FRESH, set())
    for row in session.new:
        if isinstance(row, Incident):
            touched.add(row.id)
            fresh.add(row.id)
        elif isinstance(row, AuditEvent) and row.subject_type == INCIDENT:
            touched.add(row.subject_id)
    touched.update(row.id for row in session.dirty if isinstance(row, Incident))


def _refresh_pending(session: Session) -> None:
    """Bring the noted incidents' facts up to date before the commit (the outermost one:
    a savepoint's release leaves them for it, so the summary rows are locked only at the
    very end of a transaction and two transactions never wait on each other for them)."""
    if not _ours(session) or session.in_nested_transaction():
        return
    session.flush()
    pending = session.info.pop(PENDING, set())
    fresh = session.info.pop(FRESH, set())
    if pending:
        refresh(pending, fresh=fresh)
        session.flush()
        session.info.pop(PENDING, None)
        session.info.pop(FRESH, None)


def _forget(session: Session) -> None:
    """A rolled-back transaction leaves nothing to refresh."""
    session.info.pop(PENDING, None)
    session.info.pop(FRESH, None)


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


def refresh(
    incident_ids: Iterable[int], now: datetime | None = None, fresh: Collection[int] = ()
) -> None:
    """Derive and store the facts of these incidents (those since deleted are skipped);
    the `fresh` ones were inserted in this transaction, so nothing is stored for them."""
    now = now or utcnow()
    ids = sorted(incident_ids)
    for batch in (ids[at : at + BATCH] for at in range(0, len(ids), BATCH)):
        incidents = _incidents(batch)
        stored = _Stored.load(
            [incident.id for incident in incidents],
            [incident.id for incident in incidents if incident.id not in fresh],
        )
        zone = summary_rows.summary_zone()
        changes: Contributions = {}
        for incident in incidents:
            trail = stored.trails.get(incident.id, [])
            clock = current_clock(incident, now, trail) if trail else None
            derived = derive(incident, trail, clock)
            before = _store(incident.id, derived, stored)
            for key, amounts in difference(
                contributions(derived.facts, derived.spans, zone), before.counted(zone)
            ).items():
                changes.setdefault(key, Counter()).update(amounts)
        summary_rows.add(changes)


def _incidents(ids: list[int]) -> list[Incident]:
    """These incidents in id order: from the session when it holds them (a commit's own
    changes), the others in one query (those since deleted left out)."""
    held = {
        ident: found
        for ident in ids
        if (found := db.session.identity_map.get(identity_key(Incident, ident))) is not None
        and not inspect(found).expired
    }
    missing = [ident for ident in ids if ident not in held]
    if missing:
        held.update(
            (row.id, row)
            for row in db.session.scalars(select(Incident).where(Incident.id.in_(missing)))
        )
    return [held[ident] for ident in ids if ident in held]


@dataclass
class _Before:
    """An incident's facts and open spans as stored before this refresh."""

    facts: dict[str, Any] | None
    spans: list[Span]

    def counted(self, zone: tzinfo) -> Contributions:
        """What they added to the summary."""
        return contributions(self.facts, self.spans, zone)


@dataclass
class _Stored:
    """The trails, facts rows and open spans of a batch of incidents, read in three queries."""

    trails: dict[int, list[AuditEvent]] = field(default_factory=dict)
    facts: dict[int, IncidentFacts] = field(default_factory=dict)
    spans: dict[int, list[Span]] = field(default_factory=dict)

    @classmethod
    def load(cls, ids: list[int], stored_ids: list[int]) -> _Stored:
        """Read the trails of `ids`, and the facts and spans of those of them that may have
        some (`stored_ids`)."""
        stored = cls()
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.about_any(INCIDENT, ids))
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
        for entry in events:
            stored.trails.setdefault(entry.subject_id, []).append(entry)
        if not stored_ids:
            return stored
        facts = db.session.scalars(
            select(IncidentFacts).where(IncidentFacts.incident_id.in_(stored_ids))
        )
        stored.facts = {row.incident_id: row for row in facts}
        spans = db.session.execute(
            select(
                IncidentOpenSpan.incident_id, IncidentOpenSpan.started_at, IncidentOpenSpan.ended_at
            )
            .where(IncidentOpenSpan.incident_id.in_(stored_ids))
            .order_by(IncidentOpenSpan.incident_id, IncidentOpenSpan.started_at)
        )
        for incident_id, start, end in spans:
            stored.spans.setdefault(incident_id, []).append((start, end))
        return stored


def _store(incident_id: int, derived: Derived, stored: _Stored) -> _Before:
    """Write the facts row and the open spans, leaving untouched what did not change;
    return what was stored before."""
    row = stored.facts.get(incident_id)
    before = _Before(
        {name: getattr(row, name) for name in FACT_NAMES} if row is not None else None,
        stored.spans.get(incident_id, []),
    )
    if row is None:
        row = IncidentFacts(incident_id=incident_id)
        db.session.add(row)
    for name, value in derived.facts.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    if before.spans != derived.spans:
        _replace_spans(incident_id, derived.spans, bool(before.spans))
    return before


def _replace_spans(incident_id: int, spans: list[Span], had_any: bool) -> None:
    """Make the incident's stored open spans these."""
    if had_any:
        db.session.execute(
            delete(IncidentOpenSpan).where(IncidentOpenSpan.incident_id == incident_id)
        )
    db.session.add_all(
        IncidentOpenSpan(incident_id=incident_id, started_at=start, ended_at=end)
        for start, end in spans
    )
