"""The SLA clock: an incident's timeline in, each target's due, met, warned and breached
instants out, as one pure function (`run`) that the engine, the incident page and
`helpdesk sla simulate` share. The rules (README, "SLA clock"):

- Each target counts time on its own clock: the policy's calendar, or around the clock when
  the target says so. Counting starts at `opened`.
- Both clocks stop while the incident is on hold for a reason in the policy's `pause_on`
  (a hold for another reason does not stop them) and restart on `resume`, or on a
  `requester_reply` while stopped that way; a new hold replaces the reason of the last one.
- The response target is met at the first `agent_public_reply` (whatever the state of the
  incident); `agent_note` never meets it, and the automatic acknowledgement is no event.
  While the incident is resolved an unmet response clock is stopped.
- The resolution target is met at `resolved`; `reopened` continues its clock from the time
  already counted (the time spent resolved does not count). A met response stays met.
- `priority` applies that priority's targets from the change on, and `policy` (a change of
  the applicable policy, e.g. on reclassification) that policy's targets, calendar, pausing
  reasons and warning share; either way the time counted carries over, so the new due time
  is when the counted time reaches the new target. A target that is not met is judged
  against the new target at once: breached at the change if the time counted has already
  reached it, and no longer breached (nor warned) if it has not, as when a priority set too
  high is corrected. Met targets are final.
- A target is breached at its due time unless met by then (met exactly at the due time is in
  time); it is warned when the counted time reaches `warn_at` times the target. Both are
  reported only when they happen at or before `now`.

Reading of the output: `due_at` is the instant the counted time reaches the target if the
clock keeps running from `now`; it is None while the clock is stopped (paused, resolved or
met) and the target not breached. A breached target's `due_at` is the instant it was
breached: its due time, or the priority change that put it over its target. `warns_at` is,
likewise, the instant a running target not yet warned will be (None otherwise), so a
scheduler knows when to look again.

Events are applied in time order, in the given order for equal times. Instants are naive
datetimes in UTC. Each target also gets its timeline, as segments of one state each
(running, paused, stopped, met, breached: running past the due time) with the time counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from helpdesk.sla.calendar import AroundTheClock, Clock, WorkingCalendar

KINDS = (
    "opened",
    "priority",
    "hold",
    "resume",
    "agent_public_reply",
    "agent_note",
    "requester_reply",
    "resolved",
    "reopened",
)
POLICY = "policy"  # a change of policy: only a live incident's trail has one (it carries a Policy)

RUNNING, PAUSED, STOPPED, MET, BREACHED = "running", "paused", "stopped", "met", "breached"


@dataclass(frozen=True)
class Target:
    """One allowance, counted on the policy's calendar or around the clock."""

    amount: timedelta
    around_the_clock: bool = False


@dataclass(frozen=True)
class Policy:
    """Targets per priority (1..5 -> (response, resolution)), the hold reasons that stop the
    clocks and the share of a target at which it is warned."""

    calendar: WorkingCalendar
    targets: Mapping[int, tuple[Target, Target]]
    pause_on: frozenset[str] = frozenset({"awaiting_user"})
    warn_at: float = 0.75


@dataclass(frozen=True)
class Event:
    """Something that happened to the incident; `priority` for opened and priority changes,
    `reason` for holds, `policy` for policy changes."""

    at: datetime
    kind: str
    priority: int | None = None
    reason: str | None = None
    policy: Policy | None = None


@dataclass(frozen=True)
class Segment:
    """A stretch of one target's timeline in one state, with the time its clock counted."""

    start: datetime
    end: datetime
    state: str
    counted: timedelta


@dataclass(frozen=True)
class TargetState:
    """Where one target stands at `now` (see the module docstring for due_at)."""

    due_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    warned_at: datetime | None
    counted: timedelta = timedelta(0)
    segments: tuple[Segment, ...] = ()
    warns_at: datetime | None = None


# A running target is "breaching soon" from its warning, or from this long before its due
# time if that comes first, until it is met, stopped or breached (agents' queue of it).
BREACHING_SOON = timedelta(hours=1)


def breaching_soon_from(targets: Sequence[TargetState]) -> datetime | None:
    """When the first of the running, unbreached targets is breaching soon (a past instant
    when it already is); None when no target runs toward a breach."""
    starts = [
        min(target.warned_at or target.warns_at or target.due_at, target.due_at - BREACHING_SOON)
        for target in targets
        if target.due_at is not None and target.breached_at is None
    ]
    return min(starts, default=None)


@dataclass(frozen=True)
class ClockState:
    """Both targets of an incident at `now`, and since when the incident has been on hold
    for a pausing reason (None when it is not)."""

    response: TargetState
    resolution: TargetState
    paused_since: datetime | None = None


class ClockError(ValueError):
    """A timeline the clock cannot run; the message names the event by its index and field,
    e.g. `events[3].at: ...`."""


@dataclass
class _Track:
    """One target's clock while the timeline is replayed."""

    clock: Clock
    amount: timedelta
    warn_at: float
    since: datetime
    counted: timedelta = timedelta(0)
    met_at: datetime | None = None
    breached_at: datetime | None = None
    warned_at: datetime | None = None
    segments: list[Segment] = field(default_factory=list)

    def advance(self, until: datetime, idle: str | None) -> None:
        """Move to `until`, counting unless `idle` names the state the clock stands in; a
        warning or breach crossed strictly before `until` is noted at its instant (one at
        `until` itself is left to `settle`, after the events there may have met the target)."""
        start, self.since = self.since, until
        if idle is not None:
            self._record(start, until, idle, timedelta(0))
            return
        if self.warned_at is None:
            self.warned_at = self._crossing(start, until, self.amount * self.warn_at)
        total = self.clock.counted(start, until)
        if self.breached_at is None:
            self.breached_at = self._crossing(start, until, self.amount)
        self.counted += total
        if self.breached_at is not None and start < self.breached_at:
            before = self.clock.counted(start, self.breached_at)
            self._record(start, self.breached_at, RUNNING, before)
            start, total = self.breached_at, total - before
        self._record(start, until, RUNNING if self.breached_at is None else BREACHED, total)

    def settle(self, at: datetime) -> None:
        """Judge an unmet target against the time counted so far: warned and breached from
        the first moment the counted time reached the threshold, no longer once it is below."""
        if self.met_at is None:
            self.warned_at = _reached(self.warned_at, self.amount * self.warn_at, self.counted, at)
            self.breached_at = _reached(self.breached_at, self.amount, self.counted, at)

    def report(self, counting: bool) -> TargetState:
        """The target as reported, the clock standing at `since`."""
        due_at, warns_at = self.breached_at, None
        if due_at is None and counting:
            due_at = self.clock.add(self.since, self.amount - self.counted)
        if self.warned_at is None and counting:
            warns_at = self.clock.add(self.since, self.amount * self.warn_at - self.counted)
        return TargetState(
            due_at,
            self.met_at,
            self.breached_at,
            self.warned_at,
            self.counted,
            tuple(self.segments),
            warns_at,
        )

    def _crossing(self, start: datetime, until: datetime, threshold: timedelta) -> datetime | None:
        """When the counted time reaches `threshold` on the way from `start` to `until`."""
        instant = self.clock.add(start, threshold - self.counted)
        return instant if instant < until else None

    def _record(self, start: datetime, end: datetime, state: str, counted: timedelta) -> None:
        """Add a segment, or lengthen the last one when the state is the same."""
        if start == end:
            return
        last = self.segments[-1] if self.segments else None
        if last is not None and last.state == state and last.end == start:
            self.segments[-1] = Segment(last.start, end, state, last.counted + counted)
        else:
            self.segments.append(Segment(start, end, state, counted))


def _reached(
    noted: datetime | None, threshold: timedelta, counted: timedelta, at: datetime
) -> datetime | None:
    """The instant a threshold counts as reached: kept if it was, `at` if it just was."""
    return (noted or at) if counted >= threshold else None


@dataclass
class _Incident:
    """The incident's state as the events replay: the policy and priority in force, the
    tracks and what stops them."""

    policy: Policy
    priority: int
    response: _Track
    resolution: _Track
    hold_reason: str | None = None
    resolved: bool = False
    paused_since: datetime | None = None

    @property
    def tracks(self) -> tuple[_Track, _Track]:
        return self.response, self.resolution

    @property
    def paused(self) -> bool:
        return self.hold_reason in self.policy.pause_on

    def idle(self, track: _Track) -> str | None:
        """The state a track stands still in, or None while it counts."""
        if track.met_at is not None:
            return MET
        if self.resolved:
            return STOPPED
        return PAUSED if self.paused else None

    def report(self, track: _Track) -> TargetState:
        return track.report(counting=self.idle(track) is None)

    def advance(self, until: datetime) -> None:
        for track in self.tracks:
            track.advance(until, self.idle(track))

    def apply(self, event: Event) -> None:
        """Change the state as the event says (the clocks stand at the event's time)."""
        if event.kind == "priority":
            assert event.priority is not None
            self.priority = event.priority
            self.set_targets()
        elif event.kind == POLICY:
            assert event.policy is not None
            self.policy = event.policy
            self.set_targets()
        elif event.kind == "hold":
            self.hold_reason = event.reason
        elif event.kind == "resume" or (event.kind == "requester_reply" and self.paused):
            self.hold_reason = None
        elif event.kind == "agent_public_reply" and self.response.met_at is None:
            self.response.met_at = event.at
        elif event.kind == "resolved" and not self.resolved:
            self.resolved = True
            self.resolution.met_at = event.at
        elif event.kind == "reopened" and self.resolved:
            self.resolved = False
            self.resolution.met_at = None
        self.paused_since = (self.paused_since or event.at) if self.paused else None
        for track in self.tracks:
            track.settle(event.at)

    def set_targets(self) -> None:
        """Hold the tracks to the policy and priority now in force (the counted time stays;
        `settle` then judges it against the new targets)."""
        for track, target in zip(self.tracks, self.policy.targets[self.priority], strict=True):
            track.amount = target.amount
            track.clock = _clock(self.policy, target)
            track.warn_at = self.policy.warn_at


def _clock(policy: Policy, target: Target) -> Clock:
    return AroundTheClock() if target.around_the_clock else policy.calendar


def _utc(instant: datetime) -> str:
    return f"{instant.isoformat()}Z"


def _in_order(policy: Policy, events: Sequence[Event], now: datetime) -> list[Event]:
    """The events to replay, `opened` first; refuses what the clock cannot run."""
    openings = [index for index, event in enumerate(events) if event.kind == "opened"]
    if len(openings) != 1:
        raise ClockError(f"events: need exactly one 'opened' event, not {len(openings)}")
    opened = events[openings[0]]
    policies = [policy, *(event.policy for event in events if event.policy is not None)]
    for index, event in enumerate(events):
        if event.kind not in (*KINDS, POLICY):
            raise ClockError(f"events[{index}].kind: unknown kind {event.kind!r}")
        if event.at < opened.at:
            raise ClockError(
                f"events[{index}].at: {_utc(event.at)} is before the opening, {_utc(opened.at)}"
            )
        if event.at > now:
            raise ClockError(f"events[{index}].at: {_utc(event.at)} is after now, {_utc(now)}")
        if event.kind in ("opened", "priority") and any(
            event.priority not in each.targets for each in policies
        ):
            raise ClockError(f"events[{index}].priority: no targets for priority {event.priority}")
        if event.kind == POLICY and event.policy is None:
            raise ClockError(f"events[{index}].policy: a policy change needs a policy")
        if event.kind == "hold" and not event.reason:
            raise ClockError(f"events[{index}].reason: a hold needs a reason")
    rest = [event for index, event in enumerate(events) if index != openings[0]]
    return [opened, *sorted(rest, key=lambda event: event.at)]


def run(policy: Policy, events: Sequence[Event], now: datetime) -> ClockState:
    """Replay an incident's events on the policy it opened under (`policy` events change
    it) and report both targets at `now`."""
    opened, *rest = _in_order(policy, events, now)
    assert opened.priority is not None
    response, resolution = (
        _Track(_clock(policy, target), target.amount, policy.warn_at, opened.at)
        for target in policy.targets[opened.priority]
    )
    incident = _Incident(policy, opened.priority, response, resolution)
    incident.apply(opened)
    for event in rest:
        incident.advance(event.at)
        incident.apply(event)
    incident.advance(now)
    for track in incident.tracks:
        track.settle(now)
    return ClockState(incident.report(response), incident.report(resolution), incident.paused_since)
