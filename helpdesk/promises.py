"""What an incident's SLA targets promise its requester, in words: "We aim to answer within
1 business day and to resolve it within 10 business days of your report."

A priority ("P5 planning") is the service desk's place in a queue; the people who report
incidents want to know when to expect an answer and a fix. Pure functions of the targets,
shared by the portal and the acknowledgement email so both promise the same thing.
"""

from __future__ import annotations

from datetime import timedelta

from helpdesk import lifecycle, sla

# The working hours the SLA clocks count in (sla.due_times' default calendar).
CALENDAR = sla.Calendar()


def duration_in_words(target: sla.Target, calendar: sla.Calendar = CALENDAR) -> str:
    """Say a target's allowance as a person would: "15 minutes", "4 business hours",
    "10 business days" (whole working days of the calendar count as days)."""
    day = calendar.day_length
    if target.business and target.duration >= day and target.duration % day == timedelta(0):
        return _count(target.duration // day, "business day")
    hours, rest = divmod(target.duration, timedelta(hours=1))
    unit = "business hour" if target.business else "hour"
    minutes = _count(rest // timedelta(minutes=1), "minute") if rest else ""
    if not hours:
        return minutes
    return f"{_count(hours, unit)} {minutes}".strip()


def _count(number: int, unit: str) -> str:
    """A number with its unit, plural unless it is one."""
    return f"{number} {unit}{'' if number == 1 else 's'}"


def service_promise(
    status: str,
    priority: int,
    answered: bool,
    targets: dict[int, sla.SlaTargets] = sla.DEFAULT_TARGETS,
    calendar: sla.Calendar = CALENDAR,
) -> str | None:
    """What the priority means for the user while the incident is open: when to expect an
    answer (until one came) and a fix, from the SLA targets; nothing once it is over."""
    if status not in lifecycle.OPEN_STATUSES or priority not in targets:
        return None
    chosen = targets[priority]
    resolve = f"resolve it within {duration_in_words(chosen.resolution, calendar)}"
    if answered:
        return f"We aim to {resolve} of your report."
    answer = f"answer within {duration_in_words(chosen.response, calendar)}"
    return f"We aim to {answer} and to {resolve} of your report."
