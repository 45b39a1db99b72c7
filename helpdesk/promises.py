"""What an incident's SLA targets promise its requester, in words: "We aim to answer within
1 business day and to resolve it within 10 business days of your report."

A priority ("P5 planning") is the service desk's place in a queue; the people who report
incidents want to know when to expect an answer and a fix. Pure functions of the incident's
own SLA policy (as helpdesk.sla.spec.parse_policy reads it), shared by the portal and the
acknowledgement email so both promise the same thing.
"""

from __future__ import annotations

from datetime import timedelta

from helpdesk import lifecycle
from helpdesk.sla.calendar import WorkingCalendar
from helpdesk.sla.clock import Policy, Target


def duration_in_words(target: Target, calendar: WorkingCalendar) -> str:
    """Say a target's allowance as a person would: "15 minutes", "4 business hours",
    "10 business days" (whole working days of the calendar count as days; around-the-clock
    targets are said in hours and minutes)."""
    day = calendar.working_day
    business = not target.around_the_clock
    if business and day and target.amount >= day and target.amount % day == timedelta(0):
        return _count(target.amount // day, "business day")
    hours, rest = divmod(target.amount, timedelta(hours=1))
    unit = "business hour" if business else "hour"
    minutes = _count(rest // timedelta(minutes=1), "minute") if rest else ""
    if not hours:
        return minutes
    return f"{_count(hours, unit)} {minutes}".strip()


def _count(number: int, unit: str) -> str:
    """A number with its unit, plural unless it is one."""
    return f"{number} {unit}{'' if number == 1 else 's'}"


def service_promise(
    status: str, priority: int, answered: bool, policy: Policy | None
) -> str | None:
    """What the priority means for the user while the incident is open: when to expect an
    answer (until one came) and a fix, from the policy's targets; nothing once it is over,
    nor for an incident held to no policy (or one without targets for its priority)."""
    if status not in lifecycle.OPEN_STATUSES or policy is None:
        return None
    if priority not in policy.targets:
        return None
    response, resolution = policy.targets[priority]
    resolve = f"resolve it within {duration_in_words(resolution, policy.calendar)}"
    if answered:
        return f"We aim to {resolve} of your report."
    answer = f"answer within {duration_in_words(response, policy.calendar)}"
    return f"We aim to {answer} and to {resolve} of your report."
