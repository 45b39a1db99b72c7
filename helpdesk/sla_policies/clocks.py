"""Every incident's SLA clock, kept current: the one pure clock (helpdesk.sla.clock.run) on
the incident's own timeline (read off its audit trail) and the policy chosen for its
service and category, stored on the incident in the same transaction as every change.

`recompute` is the one way the stored clock changes. The incident service's events call it
(opening, public replies, every status move whatever made it: a hold, a resolution, a
cancellation, a merge; and reclassification, which may choose another policy); the
scheduler's pass, `check_due`, calls it for the incidents whose next warning or breach has
come (`sla_check_at`). Each warning or breach is recorded in the audit trail (`sla_warned`,
`sla_breached`, with the target) and published (SlaWarned, SlaBreached) by whichever call
first stores it, so each happens once however often the clock is recomputed.

When the service or category (or the policies' own service and category) makes another
policy apply to an incident that had one, the change is recorded (`sla_policy`, with the
new policy's id and name and the previous one's id) and the clock applies it as it applies
a priority change: the time counted so far carries over to the new targets, and the new
calendar counts from the change on.
A closed or cancelled incident's clock stands still at that moment, and nothing is due.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.core import events
from helpdesk.core.batches import in_batches
from helpdesk.extensions import db
from helpdesk.incidents.audit import record, trail_so_far
from helpdesk.incidents.events import (
    IncidentOpened,
    PublicReplyAdded,
    Reclassified,
    SlaBreached,
    SlaWarned,
    StatusMoved,
)
from helpdesk.models import AuditEvent, Incident, SlaPolicy, utcnow
from helpdesk.reads.sla_policy import parsed
from helpdesk.sla.clock import ClockState, Policy, TargetState, breaching_soon_from, run
from helpdesk.sla_policies.choice import find_policy
from helpdesk.sla_policies.timeline import POLICY_CHANGED, policy_ids, timeline

TARGETS = ("response", "resolution")
# session.info: (the transaction, {incident id: the clock its last recompute ran})
RUN_IN_TRANSACTION = "sla_clocks_run"
CHANGES = (IncidentOpened, PublicReplyAdded, StatusMoved, Reclassified)


def subscribe_to_events() -> None:
    """Recompute an incident's clock on every change that can move it."""
    for event_type in CHANGES:
        events.subscribe(event_type, _on_change)


def _on_change(event: object) -> None:
    recompute(event.incident)  # type: ignore[attr-defined]


def recompute(incident: Incident, now: datetime | None = None) -> None:
    """Run the incident's clock at `now` (default: the current time), store it, and record
    and publish each warning and breach not stored before."""
    now = now or utcnow()
    # Read without a flush: what this unit staged is flushed once, at its end (a flush
    # here cost an emailed incident a fifth of its intake).
    with db.session.no_autoflush:
        policy = find_policy(*incident.catalogue_ids())
        if policy is not None and incident.sla_policy_id not in (None, policy.id):
            record(
                incident,
                None,
                POLICY_CHANGED,
                policy=policy.id,
                name=policy.name,
                previous=incident.sla_policy_id,
            )
        incident.sla_policy_id = policy.id if policy else None
        before = dict(_judgements(incident))
        clock = _run(incident, policy, now) if policy else None
        _store(incident, clock)
        _remember(incident, clock)
    for (target, kind), at in _judgements(incident):
        if at is not None and before[target, kind] is None:
            record(incident, None, f"sla_{kind}", target=target, at=at.isoformat())
            happened = SlaWarned if kind == "warned" else SlaBreached
            events.publish(happened(incident, target, at))


def check_due(now: datetime) -> int:
    """The scheduler's job: recompute every incident whose next warning or breach has come
    by `now`, a batch at a time (helpdesk.core.batches: row locks, SKIP LOCKED on
    PostgreSQL, so two workers share them), and return how many. Running it again at the
    same `now` changes nothing more: their stored `sla_check_at` has moved past `now` or is
    None."""
    due = select(Incident).where(Incident.sla_check_at <= now)
    return in_batches(due, (Incident.sla_check_at, Incident.id), lambda row: recompute(row, now))


def clock_of(
    incident: Incident, now: datetime, trail: Sequence[AuditEvent] | None = None
) -> ClockState | None:
    """The incident's clock at `now` (at its end once closed or cancelled), each target with
    its timeline, for the incident page to show why it stands where it does and for the
    reports' facts (which pass the `trail` they read already); None when no policy holds
    it. It reads the same trail and policy as `recompute`, and stores nothing."""
    policy = db.session.get(SlaPolicy, incident.sla_policy_id) if incident.sla_policy_id else None
    return _run(incident, policy, now, trail).state if policy is not None else None


def current_clock(
    incident: Incident, now: datetime, trail: Sequence[AuditEvent]
) -> ClockState | None:
    """The incident's clock as this transaction's last `recompute` left it (every change
    that can move it recomputes it), else as `clock_of` runs it: for the reports' facts,
    which would otherwise run the same clock twice on every change."""
    held = db.session.info.get(RUN_IN_TRANSACTION)
    if held is not None and held[0] is db.session().get_transaction() and incident.id in held[1]:
        return held[1][incident.id]
    return clock_of(incident, now, trail)


def _remember(incident: Incident, clock: _Clock | None) -> None:
    """Keep the clock just run for the rest of this transaction (see current_clock)."""
    transaction = db.session().get_transaction()
    held = db.session.info.get(RUN_IN_TRANSACTION)
    if held is None or held[0] is not transaction:
        clocks: dict[int, ClockState | None] = {}
        held = db.session.info[RUN_IN_TRANSACTION] = (transaction, clocks)
    held[1][incident.id] = clock.state if clock else None


@dataclass(frozen=True)
class _Clock:
    """An incident's clock, and whether it has ended (closed or cancelled)."""

    state: ClockState
    ended: bool


def _run(
    incident: Incident, policy: SlaPolicy, now: datetime, trail: Sequence[AuditEvent] | None = None
) -> _Clock:
    """The clock at `now`, or at the end for a closed or cancelled incident; a change that
    committed after the caller read the time (a scheduler's pass) moves `now` up to it."""
    trail = trail_so_far(incident) if trail is None else trail
    policies = _policies(policy, policy_ids(trail))
    line = timeline(trail, policies)
    until = line.ended_at or max(now, *(event.at for event in line.events))
    opened_under = policies.get(line.opened_under or policy.id, policies[policy.id])
    state = run(opened_under, line.events, until)
    return _Clock(state, line.ended_at is not None)


def _policies(current: SlaPolicy, ids: set[int]) -> dict[int, Policy]:
    """The current policy and those `ids` name, parsed, by id: one query when the trail
    names others, none when it does not (most incidents never change policy)."""
    rows = [current]
    if ids - {current.id}:
        rows += db.session.scalars(select(SlaPolicy).where(SlaPolicy.id.in_(ids - {current.id})))
    return {row.id: parsed(row) for row in rows}


def _store(incident: Incident, clock: _Clock | None) -> None:
    """Write the clock onto the incident (None: no policy holds it, so it has no clock)."""
    for target in TARGETS:
        state = getattr(clock.state, target) if clock else None
        running = clock is not None and not clock.ended  # an ended clock has nothing due
        due = state.due_at if state and running else None
        setattr(incident, f"{target}_due_at", due)
        setattr(incident, f"{target}_warned_at", state.warned_at if state else None)
        setattr(incident, f"{target}_breached_at", state.breached_at if state else None)
    if clock is None:
        incident.sla_paused_at = incident.sla_check_at = incident.sla_breaching_from = None
        return
    incident.sla_paused_at = clock.state.paused_since
    targets: tuple[TargetState, ...] = (
        () if clock.ended else (clock.state.response, clock.state.resolution)
    )
    incident.sla_check_at = min((at for target in targets for at in _next(target)), default=None)
    incident.sla_breaching_from = breaching_soon_from(targets)


def _next(target: TargetState) -> Iterator[datetime]:
    """The instants a running target will be warned or breached."""
    if target.warns_at is not None:
        yield target.warns_at
    if target.due_at is not None and target.breached_at is None:
        yield target.due_at


def _judgements(incident: Incident) -> Iterator[tuple[tuple[str, str], datetime | None]]:
    """Each target's stored warning and breach, warnings first."""
    for kind in ("warned", "breached"):
        for target in TARGETS:
            yield (target, kind), getattr(incident, f"{target}_{kind}_at")
