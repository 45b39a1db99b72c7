"""Demo data: a small IT department with a month of realistic incidents to try things on.

Everything is created through the service layer (so it is valid, audited data) with
notifications suppressed, then re-timed over the last weeks (see clock.py). The random
choices are seeded, so every load tells the same stories.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from helpdesk import accounts, lifecycle, notify
from helpdesk.demo import stories_apps, stories_desk, stories_network
from helpdesk.demo.cast import ADMIN, DEMO_PASSWORD, Cast, Person, create_admin, create_cast, logins
from helpdesk.demo.clock import Clock, backdate
from helpdesk.demo.process import play_process
from helpdesk.demo.script import Scene
from helpdesk.demo.story import Story
from helpdesk.kb import demo_articles
from helpdesk.models import Incident
from helpdesk.priority import priority_for

__all__ = ["DEMO_PASSWORD", "STORIES", "Person", "demo_present", "load_demo", "logins"]

SEED = 20240601
STORIES: list[Story] = [*stories_desk.STORIES, *stories_network.STORIES, *stories_apps.STORIES]
# How many days ago incidents that ended in each status were opened, before moving the
# moment into office hours on a weekday (which can take it up to three days further back).
AGE_DAYS = {
    lifecycle.NEW: (0.05, 1.5),
    lifecycle.ASSIGNED: (0.3, 4),
    lifecycle.IN_PROGRESS: (1, 8),
    lifecycle.ON_HOLD: (3, 16),
    lifecycle.RESOLVED: (1, 7),
    lifecycle.CLOSED: (8, 27),
    lifecycle.CANCELLED: (2, 27),
}
HISTORY_DAYS = 30  # the whole history lies within this many days before the load
OPEN_OUTAGE_AGE_DAYS = (0.08, 0.3)  # an open P1 is hours old, not days


def demo_present() -> bool:
    """Tell whether the demo was loaded; the admin account is created last, as the marker."""
    return accounts.find_by_email(ADMIN.email) is not None


def load_demo(seed: int = SEED, now: datetime | None = None) -> int:
    """Load the demo data unless it is present; return how many incidents were created.

    `now` is the moment the history leads up to (default: the real time); tests pin it so
    that what they check does not depend on the day or hour they run.
    """
    if demo_present():
        return 0
    rng = random.Random(seed)
    clock = Clock(now)
    with notify.suppressed():
        cast = create_cast()
        demo_articles.seed(cast.agents["Service Desk"])
        played = _play_all(cast, clock, rng)
        admin = create_admin(cast)
    people = [*cast.agents.values(), *cast.users, admin]
    backdate(clock, [incident.id for incident in played.values()], [p.id for p in people])
    with notify.suppressed():
        play_process(cast, played, clock.now)
    return len(played)


def _play_all(cast: Cast, clock: Clock, rng: random.Random) -> dict[str, Incident]:
    """Play every story in the order the incidents were opened; duplicates follow their
    original, which must still be open when they are merged into it."""
    opened = {story.key: opening_time(story, clock.now, rng) for story in STORIES}
    duplicates = {story.duplicate_of: story for story in STORIES if story.duplicate_of}
    originals = sorted((s for s in STORIES if not s.duplicate_of), key=lambda s: opened[s.key])
    latest = clock.now - timedelta(minutes=5)
    played: dict[str, Incident] = {}
    for story in originals:
        clock.begin(opened[story.key])
        partners = [played[key] for key in _partners(story) if key in played]
        played[story.key] = Scene(story, cast, clock, rng).play(partners)
        clock.finish(latest)
        if story.key in duplicates:
            duplicate = duplicates[story.key]
            reported = opened[story.key] + timedelta(minutes=rng.uniform(10, 40))
            scene = Scene(duplicate, cast, clock, rng)
            played[duplicate.key] = scene.play_duplicate(played[story.key], reported)
            clock.finish(latest)
    return played


def _partners(story: Story) -> list[str]:
    """Keys of the stories this one is related to, whichever side names the link."""
    named = [story.related] if story.related else []
    return named + [other.key for other in STORIES if other.related == story.key]


def opening_time(story: Story, now: datetime, rng: random.Random) -> datetime:
    """A plausible opening time for the story's final status: during office hours on a
    weekday, before `now` and no more than HISTORY_DAYS before it."""
    low, high = AGE_DAYS[story.status]
    if story.status in lifecycle.OPEN_STATUSES and priority_for(story.impact, story.urgency) == 1:
        low, high = OPEN_OUTAGE_AGE_DAYS
    moment = now - timedelta(days=rng.uniform(low, high))
    # Drawn every time, so the random sequence (and with it every later story) does not
    # depend on the wall-clock hour the demo happens to be loaded at.
    office_hour = rng.randint(8, 16)
    if not 8 <= moment.hour < 17:
        earlier = moment.replace(hour=office_hour)
        moment = earlier if earlier < moment else earlier - timedelta(days=1)
    while moment.weekday() >= 5:  # nobody reports the office printer on a Sunday
        moment -= timedelta(days=1)
    return moment
