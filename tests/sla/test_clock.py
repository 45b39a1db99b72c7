"""The SLA clock, rule by rule, on timelines checked by hand; then properties.

The calendar is Berlin's Mon-Fri 09:00-12:00 and 13:00-17:00 (7 hours a day) with Christmas
Day off. Times are written in local time with their offset, as a person would check them;
2026-12-04 is a Friday, 2026-12-07 a Monday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.sla.calendar import parse_calendar
from helpdesk.sla.clock import (
    BREACHED,
    MET,
    PAUSED,
    RUNNING,
    STOPPED,
    ClockError,
    ClockState,
    Event,
    Policy,
    Segment,
    Target,
    run,
)

WORKDAY = ["09:00-12:00", "13:00-17:00"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
BERLIN = parse_calendar(
    {
        "timezone": "Europe/Berlin",
        "hours": {day: WORKDAY for day in WEEKDAYS},
        "holidays": ["2026-12-25"],
    }
)
HOUR = timedelta(hours=1)
POLICY = Policy(
    BERLIN,
    {
        1: (Target(timedelta(minutes=15), True), Target(4 * HOUR, True)),
        2: (Target(HOUR), Target(8 * HOUR)),
        3: (Target(4 * HOUR), Target(16 * HOUR)),
        4: (Target(8 * HOUR), Target(40 * HOUR)),
    },
)


def at(text: str) -> datetime:
    """A local time with its offset, as the naive UTC instant the clock works in."""
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def event(when: str, kind: str, priority: int | None = None, reason: str | None = None) -> Event:
    return Event(at(when), kind, priority, reason)


def opened(when: str, priority: int = 3) -> Event:
    return event(when, "opened", priority)


def clock(events: list[Event], now: str, policy: Policy = POLICY) -> ClockState:
    return run(policy, events, at(now))


def test_business_time_skips_the_weekend() -> None:
    state = clock([opened("2026-12-04T15:00+01:00")], "2026-12-04T15:30+01:00")
    assert state.response.due_at == at("2026-12-07T11:00+01:00")  # 2h Fri, 2h Mon
    assert state.resolution.due_at == at("2026-12-08T17:00+01:00")  # 2h + 7h + 7h
    assert state.response.met_at is state.response.breached_at is state.response.warned_at
    assert state.response.met_at is None


def test_the_lunch_break_does_not_count() -> None:
    state = clock([opened("2026-12-07T10:00+01:00")], "2026-12-07T10:00+01:00")
    assert state.response.due_at == at("2026-12-07T15:00+01:00")


def test_a_holiday_does_not_count() -> None:
    state = clock([opened("2026-12-24T14:00+01:00")], "2026-12-24T14:00+01:00")
    assert state.response.due_at == at("2026-12-28T10:00+01:00")  # 3h Thu, 1h Mon


def test_spring_forward_over_the_weekend() -> None:
    state = clock([opened("2026-03-27T16:00+01:00")], "2026-03-27T16:00+01:00")
    assert state.response.due_at == at("2026-03-30T12:00+02:00")  # 1h Fri, 3h Mon
    assert state.resolution.due_at == at("2026-04-01T10:00+02:00")  # 1h + 7h + 7h + 1h


def test_fall_back_over_the_weekend() -> None:
    state = clock([opened("2026-10-23T16:00+02:00")], "2026-10-23T16:00+02:00")
    assert state.response.due_at == at("2026-10-26T12:00+01:00")


def test_a_working_day_on_the_day_the_clocks_change_is_eight_hours() -> None:
    every_day = parse_calendar({"timezone": "Europe/Berlin", "hours": {"sun": ["09:00-17:00"]}})
    policy = Policy(every_day, {3: (Target(8 * HOUR), Target(16 * HOUR))})
    state = clock([opened("2026-03-29T09:00+02:00")], "2026-03-29T09:00+02:00", policy)
    assert state.response.due_at == at("2026-03-29T17:00+02:00")
    assert state.resolution.due_at == at("2026-04-05T17:00+02:00")


def test_a_zone_west_of_utc_counts_its_own_working_day() -> None:
    new_york = parse_calendar(
        {"timezone": "America/New_York", "hours": {day: ["09:00-17:00"] for day in WEEKDAYS}}
    )
    policy = Policy(new_york, {3: (Target(4 * HOUR), Target(16 * HOUR))})
    # Monday 22:00 in New York is already Tuesday 03:00 in UTC.
    state = clock([opened("2026-11-16T22:00-05:00")], "2026-11-16T22:00-05:00", policy)
    assert state.response.due_at == at("2026-11-17T13:00-05:00")
    assert state.resolution.due_at == at("2026-11-18T17:00-05:00")


def test_around_the_clock_targets_count_every_second() -> None:
    state = clock([opened("2026-12-05T23:00+01:00", 1)], "2026-12-05T23:00+01:00")  # Saturday
    assert state.response.due_at == at("2026-12-05T23:15+01:00")
    assert state.resolution.due_at == at("2026-12-06T03:00+01:00")


def test_a_pause_over_the_weekend_counts_no_time() -> None:
    events = [
        opened("2026-12-04T10:00+01:00"),
        event("2026-12-04T11:00+01:00", "agent_public_reply"),
        event("2026-12-04T11:00+01:00", "hold", reason="awaiting_user"),
    ]
    saturday = clock(events, "2026-12-05T12:00+01:00")
    assert saturday.response.met_at == at("2026-12-04T11:00+01:00")
    assert saturday.response.due_at is None
    assert saturday.resolution.due_at is None
    assert saturday.resolution.counted == HOUR

    events.append(event("2026-12-07T10:00+01:00", "resume"))
    monday = clock(events, "2026-12-07T10:00+01:00").resolution
    # 1h Friday, then 15h from Monday 10:00: 6h Monday, 7h Tuesday, 2h Wednesday.
    assert monday.due_at == at("2026-12-09T11:00+01:00")
    assert monday.segments == (
        Segment(at("2026-12-04T10:00+01:00"), at("2026-12-04T11:00+01:00"), RUNNING, HOUR),
        Segment(at("2026-12-04T11:00+01:00"), at("2026-12-07T10:00+01:00"), PAUSED, 0 * HOUR),
    )


def test_a_requester_reply_ends_the_pause() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T10:00+01:00", "hold", reason="awaiting_user"),
        event("2026-12-07T14:00+01:00", "requester_reply"),
    ]
    state = clock(events, "2026-12-07T14:00+01:00")
    assert state.response.due_at == at("2026-12-07T17:00+01:00")  # 1h, then 3h from 14:00
    assert state.resolution.due_at == at("2026-12-09T15:00+01:00")  # 1h + 3h + 7h + 5h


def test_a_requester_reply_while_running_changes_nothing() -> None:
    before = clock([opened("2026-12-07T09:00+01:00")], "2026-12-07T11:00+01:00")
    after = clock(
        [opened("2026-12-07T09:00+01:00"), event("2026-12-07T10:00+01:00", "requester_reply")],
        "2026-12-07T11:00+01:00",
    )
    assert after == before


def test_a_hold_for_another_reason_does_not_pause() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T10:00+01:00", "hold", reason="awaiting_vendor"),
    ]
    state = clock(events, "2026-12-07T11:00+01:00")
    assert state.response.due_at == at("2026-12-07T14:00+01:00")
    assert state.response.segments == (
        Segment(at("2026-12-07T09:00+01:00"), at("2026-12-07T11:00+01:00"), RUNNING, 2 * HOUR),
    )


def test_an_agent_note_does_not_meet_the_response() -> None:
    events = [opened("2026-12-07T09:00+01:00"), event("2026-12-07T10:00+01:00", "agent_note")]
    state = clock(events, "2026-12-07T15:00+01:00").response
    assert state.met_at is None
    assert state.warned_at == at("2026-12-07T12:00+01:00")  # 3h of 4h
    assert state.breached_at == state.due_at == at("2026-12-07T14:00+01:00")
    assert state.segments == (
        Segment(at("2026-12-07T09:00+01:00"), at("2026-12-07T14:00+01:00"), RUNNING, 4 * HOUR),
        Segment(at("2026-12-07T14:00+01:00"), at("2026-12-07T15:00+01:00"), BREACHED, HOUR),
    )


def test_a_breach_or_warning_after_now_is_not_reported() -> None:
    state = clock([opened("2026-12-07T09:00+01:00")], "2026-12-07T11:59+01:00").response
    assert state.warned_at is None
    assert state.due_at == at("2026-12-07T14:00+01:00")


def test_a_reply_at_the_due_time_is_in_time() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T14:00+01:00", "agent_public_reply"),
    ]
    state = clock(events, "2026-12-07T16:00+01:00").response
    assert state.met_at == at("2026-12-07T14:00+01:00")
    assert state.breached_at is None
    assert state.due_at is None
    assert state.warned_at == at("2026-12-07T12:00+01:00")


def test_a_late_reply_is_met_and_breached() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T15:00+01:00", "agent_public_reply"),
    ]
    state = clock(events, "2026-12-07T16:00+01:00").response
    assert state.met_at == at("2026-12-07T15:00+01:00")
    assert state.breached_at == state.due_at == at("2026-12-07T14:00+01:00")
    assert state.segments[-1] == Segment(
        at("2026-12-07T15:00+01:00"), at("2026-12-07T16:00+01:00"), MET, 0 * HOUR
    )


def test_a_priority_change_while_paused_keeps_the_counted_time() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T09:30+01:00", "agent_public_reply"),
        event("2026-12-07T11:00+01:00", "hold", reason="awaiting_user"),
        event("2026-12-08T10:00+01:00", "priority", 2),
    ]
    paused = clock(events, "2026-12-08T12:00+01:00")
    assert paused.resolution.due_at is None
    assert paused.resolution.breached_at is None
    assert paused.response.met_at == at("2026-12-07T09:30+01:00")
    assert paused.response.breached_at is None  # a met response stays met

    events.append(event("2026-12-09T09:00+01:00", "resume"))
    resumed = clock(events, "2026-12-09T09:00+01:00").resolution
    assert resumed.due_at == at("2026-12-09T16:00+01:00")  # 2h counted, 6h of P2's 8h left
    assert resumed.warned_at is None


def test_a_raised_priority_already_over_target_is_breached_at_the_change() -> None:
    events = [opened("2026-12-07T09:00+01:00", 4), event("2026-12-07T14:00+01:00", "priority", 2)]
    state = clock(events, "2026-12-07T16:30+01:00")
    assert state.response.breached_at == state.response.due_at == at("2026-12-07T14:00+01:00")
    assert state.response.warned_at == at("2026-12-07T14:00+01:00")
    # 4h counted of P2's 8h resolution: 3h more today, 1h tomorrow; warned at 6h.
    assert state.resolution.due_at == at("2026-12-08T10:00+01:00")
    assert state.resolution.warned_at == at("2026-12-07T16:00+01:00")
    assert state.resolution.breached_at is None


def test_a_change_to_an_around_the_clock_target_carries_the_time_over() -> None:
    events = [opened("2026-12-07T09:00+01:00"), event("2026-12-07T09:10+01:00", "priority", 1)]
    state = clock(events, "2026-12-07T09:10+01:00")
    assert state.response.due_at == at("2026-12-07T09:15+01:00")
    assert state.resolution.due_at == at("2026-12-07T13:00+01:00")


def test_a_lowered_priority_is_judged_against_its_own_target() -> None:
    events = [opened("2026-12-07T09:00+01:00", 1), event("2026-12-07T09:30+01:00", "priority", 3)]
    before = clock(events[:1], "2026-12-07T09:30+01:00").response
    assert before.breached_at == at("2026-12-07T09:15+01:00")
    after = clock(events, "2026-12-07T09:30+01:00").response
    assert after.breached_at is None
    assert after.warned_at is None
    assert after.due_at == at("2026-12-07T14:00+01:00")  # 30m counted, 3h30m left
    assert [segment.state for segment in after.segments] == [RUNNING, BREACHED]


# Another policy, as a reclassification may choose: New York's Mon-Fri 09:00-17:00, warned
# at half a target.
NEW_YORK = Policy(
    parse_calendar(
        {"timezone": "America/New_York", "hours": {day: ["09:00-17:00"] for day in WEEKDAYS}}
    ),
    {3: (Target(4 * HOUR), Target(16 * HOUR)), 4: (Target(HOUR), Target(40 * HOUR))},
    warn_at=0.5,
)


def policy_change(when: str, policy: Policy = NEW_YORK) -> Event:
    return Event(at(when), "policy", policy=policy)


def test_a_policy_change_keeps_the_counted_time_and_counts_on_its_calendar_from_then() -> None:
    events = [opened("2026-12-07T09:00+01:00"), policy_change("2026-12-07T11:00+01:00")]
    state = clock(events, "2026-12-07T11:00+01:00").response
    assert state.counted == 2 * HOUR  # counted in Berlin until the change
    # 2h of 4h left, counted from New York's 09:00 (15:00 in Berlin), not Berlin's 14:00.
    assert state.due_at == at("2026-12-07T11:00-05:00")
    assert state.warned_at == at("2026-12-07T11:00+01:00")  # New York warns at 2h of 4h
    assert state.breached_at is None


def test_a_policy_change_already_over_the_new_target_breaches_at_the_change() -> None:
    events = [opened("2026-12-07T09:00+01:00", 4), policy_change("2026-12-07T11:00+01:00")]
    state = clock(events, "2026-12-07T16:00+01:00").response
    assert state.breached_at == state.due_at == at("2026-12-07T11:00+01:00")  # 2h of 1h
    assert state.counted == 3 * HOUR  # and New York's 09:00-10:00 (15:00-16:00 in Berlin)


def test_a_reopen_continues_the_resolution_clock() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T10:00+01:00", "agent_public_reply"),
        event("2026-12-07T11:00+01:00", "resolved"),
    ]
    resolved = clock(events, "2026-12-08T12:00+01:00")
    assert resolved.resolution.met_at == at("2026-12-07T11:00+01:00")
    assert resolved.resolution.due_at is None

    events.append(event("2026-12-09T09:00+01:00", "reopened"))
    reopened = clock(events, "2026-12-09T09:00+01:00")
    assert reopened.resolution.met_at is None
    assert reopened.resolution.due_at == at("2026-12-10T17:00+01:00")  # 2h, then 14h
    assert reopened.response.met_at == at("2026-12-07T10:00+01:00")
    assert [segment.state for segment in reopened.resolution.segments] == [RUNNING, MET]


def test_the_response_clock_stops_while_resolved() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T10:00+01:00", "resolved"),
        event("2026-12-09T09:00+01:00", "reopened"),
    ]
    resolved = clock(events[:2], "2026-12-08T09:00+01:00").response
    assert resolved.due_at is None
    assert resolved.met_at is None
    state = clock(events, "2026-12-09T09:00+01:00").response
    assert state.due_at == at("2026-12-09T12:00+01:00")
    assert [segment.state for segment in state.segments] == [RUNNING, STOPPED]


def test_events_at_the_same_time_apply_in_the_order_given() -> None:
    base = [opened("2026-12-07T09:00+01:00")]
    hold = event("2026-12-07T10:00+01:00", "hold", reason="awaiting_user")
    resume = event("2026-12-07T10:00+01:00", "resume")
    assert clock([*base, hold, resume], "2026-12-07T11:00+01:00").response.due_at is not None
    assert clock([*base, resume, hold], "2026-12-07T11:00+01:00").response.due_at is None


def test_a_zero_target_is_breached_at_the_opening_unless_met() -> None:
    policy = Policy(BERLIN, {3: (Target(0 * HOUR), Target(HOUR))})
    state = clock([opened("2026-12-07T09:00+01:00")], "2026-12-07T09:00+01:00", policy)
    assert state.response.breached_at == at("2026-12-07T09:00+01:00")


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([event("2026-12-07T09:00+01:00", "agent_note")], r"events: .*'opened'.*not 0"),
        (
            [opened("2026-12-07T09:00+01:00"), opened("2026-12-07T09:10+01:00")],
            r"events: .*'opened'.*not 2",
        ),
        (
            [opened("2026-12-07T09:00+01:00"), event("2026-12-07T08:00+01:00", "agent_note")],
            r"events\[1\]\.at: 2026-12-07T07:00:00Z is before the opening",
        ),
        (
            [opened("2026-12-07T09:00+01:00"), event("2026-12-07T13:00+01:00", "agent_note")],
            r"events\[1\]\.at: .* is after now",
        ),
        (
            [opened("2026-12-07T09:00+01:00"), event("2026-12-07T10:00+01:00", "escalated")],
            r"events\[1\]\.kind: unknown kind 'escalated'",
        ),
        (
            [opened("2026-12-07T09:00+01:00", 5)],
            r"events\[0\]\.priority: no targets for priority 5",
        ),
        (
            [opened("2026-12-07T09:00+01:00"), event("2026-12-07T10:00+01:00", "priority")],
            r"events\[1\]\.priority: no targets for priority None",
        ),
        (
            [opened("2026-12-07T09:00+01:00"), event("2026-12-07T10:00+01:00", "hold")],
            r"events\[1\]\.reason: a hold needs a reason",
        ),
        (
            [opened("2026-12-07T09:00+01:00"), event("2026-12-07T10:00+01:00", "policy")],
            r"events\[1\]\.policy: a policy change needs a policy",
        ),
        (
            [opened("2026-12-07T09:00+01:00", 2), policy_change("2026-12-07T10:00+01:00")],
            r"events\[0\]\.priority: no targets for priority 2",
        ),
    ],
)
def test_refuses_a_timeline_it_cannot_run(events: list[Event], message: str) -> None:
    with pytest.raises(ClockError, match=message):
        clock(events, "2026-12-07T12:00+01:00")


# Properties, on random timelines: an opening somewhere in 2026, then events minutes apart.
START = datetime(2026, 1, 1)
KINDS_WITHOUT_PAUSES = ("agent_note", "agent_public_reply", "requester_reply", "priority")
KINDS = (*KINDS_WITHOUT_PAUSES, "hold", "resume", "resolved", "reopened")


@st.composite
def timelines(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS) -> tuple[list[Event], datetime]:
    """Events (opened first) and a `now` at or after the last of them."""
    moment = START + timedelta(minutes=draw(st.integers(0, 364 * 24 * 60)))
    events = [Event(moment, "opened", draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 8))):
        moment += timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
        kind = draw(st.sampled_from(kinds))
        priority = draw(st.integers(1, 4)) if kind == "priority" else None
        reason = (
            draw(st.sampled_from(["awaiting_user", "awaiting_vendor"])) if kind == "hold" else None
        )
        events.append(Event(moment, kind, priority, reason))
    return events, moment + timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))


@settings(max_examples=200)
@given(timelines(KINDS_WITHOUT_PAUSES), st.data())
def test_a_pause_never_brings_a_due_time_earlier(
    timeline: tuple[list[Event], datetime], data: st.DataObject
) -> None:
    events, now = timeline
    opening = events[0].at
    minutes = int((now - opening).total_seconds() // 60)
    start = data.draw(st.integers(0, minutes))
    end = data.draw(st.integers(start, minutes))
    pause = [
        Event(opening + timedelta(minutes=start), "hold", reason="awaiting_user"),
        Event(opening + timedelta(minutes=end), "resume"),
    ]
    without = run(POLICY, events, now)
    with_pause = run(POLICY, [*events, *pause], now)
    assert without.resolution.due_at is not None
    assert with_pause.resolution.due_at is not None
    assert with_pause.resolution.due_at >= without.resolution.due_at
    if with_pause.response.due_at is not None and without.response.due_at is not None:
        assert with_pause.response.due_at >= without.response.due_at


@settings(max_examples=200)
@given(timelines(), st.lists(st.integers(0, 10**6), max_size=5))
def test_agent_notes_change_nothing(
    timeline: tuple[list[Event], datetime], offsets: list[int]
) -> None:
    events, now = timeline
    span = int((now - events[0].at).total_seconds() // 60)
    notes = [
        Event(events[0].at + timedelta(minutes=offset % (span + 1)), "agent_note")
        for offset in offsets
    ]
    assert run(POLICY, [*events, *notes], now) == run(POLICY, events, now)


@settings(max_examples=200)
@given(timelines())
def test_counted_time_never_exceeds_the_time_elapsed(
    timeline: tuple[list[Event], datetime],
) -> None:
    events, now = timeline
    state = run(POLICY, events, now)
    for target in (state.response, state.resolution):
        assert target.counted <= now - events[0].at
        assert target.counted == sum((s.counted for s in target.segments), timedelta(0))
        for segment in target.segments:
            assert timedelta(0) <= segment.counted <= segment.end - segment.start


def test_warns_at_says_when_a_running_target_will_be_warned() -> None:
    state = clock([opened("2026-12-07T09:00+01:00")], "2026-12-07T11:00+01:00")
    assert state.response.warns_at == at("2026-12-07T12:00+01:00")  # 3h of 4h
    assert state.resolution.warns_at == at("2026-12-08T15:00+01:00")  # 7h Monday, 5h Tuesday
    later = clock([opened("2026-12-07T09:00+01:00")], "2026-12-07T12:30+01:00").response
    assert later.warned_at == at("2026-12-07T12:00+01:00")
    assert later.warns_at is None  # warned already


def test_warns_at_is_none_while_the_clock_stands() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T10:00+01:00", "hold", reason="awaiting_user"),
    ]
    state = clock(events, "2026-12-07T11:00+01:00")
    assert state.response.warns_at is None
    assert state.resolution.warns_at is None


def test_paused_since_says_when_a_pausing_hold_began() -> None:
    events = [
        opened("2026-12-07T09:00+01:00"),
        event("2026-12-07T10:00+01:00", "hold", reason="awaiting_user"),
    ]
    assert clock(events, "2026-12-07T10:00+01:00").paused_since == at("2026-12-07T10:00+01:00")
    events.append(event("2026-12-07T11:00+01:00", "hold", reason="awaiting_vendor"))
    assert clock(events, "2026-12-07T12:00+01:00").paused_since is None
