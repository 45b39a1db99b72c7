"""Time zones as people choose and read them. Instants are stored as naive UTC; each
person may choose the zone they read times in (User.timezone), and the pages and the mail
they get convert at the edge, with the zone's abbreviation, so two people a world apart
each read the same instant on their own clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The instance's zone, for anonymous viewers and people who chose none. There is no setting
# for it yet, so it is UTC.
INSTANCE_ZONE = "UTC"


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zone names a person may choose, sorted (read once: listing them walks the
    zone database's files)."""
    return tuple(sorted(available_timezones()))


def utc_iso(moment: datetime, timespec: str = "seconds") -> str:
    """A stored (naive UTC) instant as ISO 8601 ending in Z, e.g. 2026-11-30T09:00:00Z: how
    the export, the API and webhooks write times for programs."""
    return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def zone_named(name: str | None) -> tzinfo:
    """The zone an IANA name names; the instance's zone for None or a name this machine's
    zone database does not know (a setting stored before a zone was withdrawn)."""
    try:
        return ZoneInfo(name or INSTANCE_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(INSTANCE_ZONE)


def local(moment: datetime, zone: tzinfo) -> datetime:
    """A stored (naive UTC) instant as an aware time on the wall clock of `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def exact_time(moment: datetime, zone: tzinfo) -> str:
    """A stored (naive UTC) instant on the wall clock of `zone`, with its abbreviation, e.g.
    2026-11-30 04:00 EST."""
    here = local(moment, zone)
    return f"{here:%Y-%m-%d %H:%M} {here.tzname()}"


def day(moment: datetime, zone: tzinfo) -> str:
    """The day of a stored (naive UTC) instant in `zone`, e.g. Friday 4 December 2026."""
    here = local(moment, zone)
    return f"{here:%A} {here.day} {here:%B %Y}"
