"""The state machine allows exactly the lifecycle DESIGN.md describes."""

import pytest

from helpdesk import lifecycle as lc


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (lc.NEW, lc.ASSIGNED),
        (lc.ASSIGNED, lc.IN_PROGRESS),
        (lc.IN_PROGRESS, lc.ON_HOLD),
        (lc.ON_HOLD, lc.IN_PROGRESS),
        (lc.IN_PROGRESS, lc.RESOLVED),
        (lc.RESOLVED, lc.CLOSED),
        (lc.RESOLVED, lc.IN_PROGRESS),
        (lc.NEW, lc.CANCELLED),
        (lc.ON_HOLD, lc.CANCELLED),
    ],
)
def test_allowed_transitions(current, target):
    lc.check_transition(current, target)
    assert lc.can_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (lc.CLOSED, lc.IN_PROGRESS, "closed cannot become in progress"),
        (lc.CANCELLED, lc.NEW, "cancelled cannot become new"),
        (lc.NEW, lc.CLOSED, "new cannot become closed"),
        (lc.RESOLVED, lc.ON_HOLD, "resolved cannot become on hold"),
        (lc.RESOLVED, lc.CANCELLED, "resolved cannot become cancelled"),
    ],
)
def test_forbidden_transitions_explain_themselves(current, target, message):
    with pytest.raises(lc.TransitionNotAllowed, match=message):
        lc.check_transition(current, target)


def test_unknown_status_is_refused():
    with pytest.raises(lc.TransitionNotAllowed, match="Unknown status"):
        lc.check_transition(lc.NEW, "done")


def test_terminal_statuses_lead_nowhere():
    for status in lc.TERMINAL_STATUSES:
        assert lc.next_statuses(status) == []


def test_every_status_is_reachable_from_new():
    seen, frontier = {lc.NEW}, [lc.NEW]
    while frontier:
        for target in lc.next_statuses(frontier.pop()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(lc.STATUSES)


def test_next_statuses_follow_lifecycle_order():
    assert lc.next_statuses(lc.RESOLVED) == [lc.IN_PROGRESS, lc.CLOSED]
