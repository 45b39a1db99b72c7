"""The queue read side: membership, filters, search, sorting, keyset pages and index use."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from helpdesk import incidents, notify
from helpdesk.extensions import db
from helpdesk.models import Incident, Message, utcnow
from helpdesk.reads import incident_search, queues
from tests.factories import gen_category, gen_incident, gen_team, gen_user


def ids(page: queues.Page) -> list[int]:
    """The ids on a page, in order."""
    return [incident.id for incident in page.incidents]


def listing(queue, viewer, size=50, **filters):
    """A listing of one queue with the given filters."""
    return queues.Listing(queue, viewer, queues.Filters(**filters), size=size)


def set_times(incident, **times):
    """Arrange timestamps directly: the service layer always stamps 'now'."""
    db.session.execute(update(Incident).where(Incident.id == incident.id).values(**times))
    db.session.commit()
    db.session.refresh(incident)


@pytest.fixture
def world(db_app):
    """The state of the world on SQLite and on PostgreSQL."""
    return make_world()


@pytest.fixture
def sqlite_world(app):
    """The state of the world on SQLite, for the query plan tests."""
    return make_world()


def make_world():
    """One incident in each interesting state, seen by an agent in the service desk."""
    me = gen_user("agent", name="Mia Me")
    other = gen_user("agent", name="Olaf Other")
    desk = gen_team("Service Desk", [me], service_desk=True)
    network = gen_team("Network", [other])
    alice = gen_user(name="Alice Walker", email="alice@corp.example")
    made = {}
    made["new"] = gen_incident(alice, subject="VPN drops every hour")
    made["desk"] = gen_incident(subject="Printer jam on floor 2")
    incidents.assign(made["desk"], me, desk.id, None)
    made["mine"] = gen_incident(subject="Laptop will not boot", urgency="high", impact="high")
    incidents.assign(made["mine"], me, desk.id, me.id)
    incidents.change_status(made["mine"], me, "in_progress")
    made["theirs"] = gen_incident(subject="Switch port dead")
    incidents.assign(made["theirs"], other, network.id, other.id)
    made["held"] = gen_incident(subject="Waiting on vendor for toner")
    incidents.assign(made["held"], me, desk.id, me.id)
    incidents.change_status(made["held"], me, "on_hold", "awaiting_vendor")
    made["resolved"] = gen_incident(subject="Mail quota")
    incidents.resolve(made["resolved"], me, "fixed", "Raised the quota.")
    made["old_resolved"] = gen_incident(subject="Old resolved")
    incidents.resolve(made["old_resolved"], me, "fixed", "Done.")
    long_ago = utcnow() - timedelta(days=20)
    set_times(made["old_resolved"], resolved_at=long_ago, last_activity_at=long_ago)
    made["closed"] = gen_incident(subject="Closed one")
    incidents.resolve(made["closed"], me, "fixed", "Done.")
    incidents.confirm_resolution(made["closed"], made["closed"].requester)
    made["cancelled"] = gen_incident(subject="Cancelled one")
    incidents.cancel(made["cancelled"], me, "Raised in error")
    stranger = gen_user(name="Sid Stranger")
    incidents.add_flagged_note(made["theirs"], stranger, "Same problem on my desk")
    incidents.add_flagged_note(made["closed"], stranger, "Still broken for me")
    seen = incidents.add_flagged_note(made["resolved"], stranger, "Thanks")
    incidents.mark_reviewed(made["resolved"], seen.id, me)
    return me, other, desk, network, made


EXPECTED = {
    "unassigned": {"new", "desk"},
    "mine": {"mine", "held"},
    "team": {"desk", "mine", "held"},
    "open": {"new", "desk", "mine", "theirs", "held"},
    "on_hold": {"held"},
    "breaching": set(),  # no SLA policy here: tests/test_queue_sla.py has the clock
    "resolved": {"resolved"},
    "review": {"theirs", "closed"},
}


@pytest.mark.parametrize("queue", sorted(EXPECTED))
def test_queue_membership(world, queue):
    me, *_, made = world
    page = queues.load_page(listing(queue, me))
    assert set(ids(page)) == {made[key].id for key in EXPECTED[queue]}


def test_tab_counts_match_the_queues(world):
    me, *_ = world
    assert queues.queue_counts(me) == {name: len(keys) for name, keys in EXPECTED.items()}


def test_agent_without_team_has_empty_team_queue(world):
    loner = gen_user("agent")
    assert queues.load_page(listing("team", loner)).incidents == []
    assert queues.queue_counts(loner)["team"] == 0


def test_other_agents_mine_queue(world):
    _, other, *_, made = world
    assert ids(queues.load_page(listing("mine", other))) == [made["theirs"].id]


def test_unknown_queue_is_refused(world):
    me, *_ = world
    with pytest.raises(KeyError):
        queues.load_page(listing("everything", me))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "in_progress"}, {"mine"}),
        ({"status": "closed"}, set()),
        ({"priority": 2}, set()),
        ({"priority": 1}, {"mine"}),
        ({"agent_id": "OTHER"}, {"theirs"}),
        ({"team_id": "NETWORK"}, {"theirs"}),
    ],
)
def test_filters_narrow_the_open_queue(world, filters, expected):
    me, other, _, network, made = world
    values = {"OTHER": other.id, "NETWORK": network.id}
    filters = {k: values.get(v, v) for k, v in filters.items()}
    page = queues.load_page(listing("open", me, **filters))
    assert set(ids(page)) == {made[key].id for key in expected}


def test_category_filter(world):
    me, *_ = world
    hardware = gen_category("Hardware")
    tagged = gen_incident(subject="Monitor flickers", category_id=hardware.id)
    assert ids(queues.load_page(listing("open", me, category_id=hardware.id))) == [tagged.id]


def test_status_filter_outside_the_queue_gives_nothing(world):
    me, *_ = world
    assert queues.load_page(listing("mine", me, status="new")).incidents == []


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "  {ref}  ", "inc-{number}"])
def test_search_by_reference_in_any_case(world, typed):
    me, *_, made = world
    target = made["held"]
    text = typed.format(ref=target.reference, lower=target.reference.lower(), number=target.id)
    assert ids(queues.load_page(listing("open", me, q=text))) == [target.id]
    assert incident_search.find_by_reference(text) == target


def test_reference_outside_the_queue_is_not_listed(world):
    me, *_, made = world
    assert queues.load_page(listing("mine", me, q=made["theirs"].reference)).incidents == []
    assert incident_search.find_by_reference("INC-999999") is None
    assert incident_search.find_by_reference("printer") is None


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("jam", {"desk"}),
        ("JAM printer", {"desk"}),
        ("jam vpn", set()),
        ("alice", {"new"}),
        ("alice walker", {"new"}),
        ("corp.example", {"new"}),
        ("100%", set()),
    ],
)
def test_search_words_match_subject_or_requester(world, q, expected):
    me, *_, made = world
    page = queues.load_page(listing("open", me, q=q))
    assert set(ids(page)) == {made[key].id for key in expected}


def test_percent_and_underscore_are_literal(world):
    me, *_ = world
    literal = gen_incident(subject="Disk at 100% on srv_01")
    assert ids(queues.load_page(listing("open", me, q="100% srv_01"))) == [literal.id]
    assert queues.load_page(listing("open", me, q="srv%0")).incidents == []


@pytest.fixture
def crowd(db_app):
    """Twenty-three open incidents whose activity times tie in threes, priorities vary."""
    agent = gen_user("agent")
    base = utcnow() - timedelta(hours=5)
    with notify.suppressed():
        made = [
            gen_incident(subject=f"Crowd {n}", urgency=("high", "medium", "low")[n % 3])
            for n in range(23)
        ]
    for number, incident in enumerate(made):
        set_times(
            incident,
            last_activity_at=base + timedelta(minutes=number // 3),
            created_at=base - timedelta(minutes=number % 5),
            resolution_due_at=None if number % 7 == 0 else base + timedelta(hours=number % 4),
        )
    return agent, made


def walk(first: queues.Listing, sort: queues.Sort) -> list[queues.Page]:
    """Follow Next links from the first page to the last."""
    pages, current = [], first
    while True:
        page = queues.load_page(current)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        current = replace(first, after=queues.Cursor.decode(page.next_cursor, sort))


def expected_order(made, key: str) -> list[int]:
    """The order a sort should give, computed in Python."""
    never = queues.NEVER
    keys = {
        "activity": lambda i: (i.last_activity_at, i.id),
        "activity_oldest": lambda i: (i.last_activity_at, i.id),
        "priority": lambda i: (i.priority, i.id),
        "created": lambda i: (i.created_at, i.id),
        "due": lambda i: (i.resolution_due_at or never, i.id),
    }
    ordered = sorted(made, key=keys[key], reverse=queues.SORTS[key].descending)
    return [incident.id for incident in ordered]


@pytest.mark.parametrize("sort", sorted(queues.SORTS))
def test_keyset_pages_hold_every_incident_once_in_order(crowd, sort):
    agent, made = crowd
    first = queues.Listing("open", agent, sort=sort, size=5)
    pages = [ids(page) for page in walk(first, queues.SORTS[sort])]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    flat = [i for page in pages for i in page]
    assert flat == expected_order(made, sort)
    assert len(set(flat)) == len(made)


def test_previous_links_walk_back_to_the_first_page(crowd):
    agent, _ = crowd
    sort = queues.SORTS["activity"]
    first = queues.Listing("open", agent, size=5)
    forward = walk(first, sort)
    page = forward[-1]
    backward = [ids(page)]
    while page.prev_cursor:
        page = queues.load_page(replace(first, before=queues.Cursor.decode(page.prev_cursor, sort)))
        backward.append(ids(page))
    assert backward == [ids(p) for p in reversed(forward)]
    assert page.prev_cursor is None  # the first page has no Previous


def test_first_page_has_no_previous_and_last_no_next(crowd):
    agent, _ = crowd
    page = queues.load_page(queues.Listing("open", agent, size=50))
    assert (page.prev_cursor, page.next_cursor) == (None, None)
    assert len(page.incidents) == 23


def test_cursor_round_trip_and_garbage():
    moment = utcnow()
    cursor = queues.Cursor(moment, 42)
    assert queues.Cursor.decode(cursor.encode(), queues.SORTS["activity"]) == cursor
    assert queues.Cursor.decode("3_7", queues.SORTS["priority"]) == queues.Cursor(3, 7)
    for garbage in ("", "nonsense", "2024-13-99_4", "x_y", None):
        assert queues.Cursor.decode(garbage, queues.SORTS["activity"]) is None


def full_scans(plan: list[str]) -> list[str]:
    """Plan lines that read the whole incidents table instead of an index."""
    return [line for line in plan if line.startswith("SCAN incidents") and "INDEX" not in line]


# The index each queue's pages are read through: the open incidents' status index, except
# "Breaching soon", read from the few incidents its clock marks (and "Needs review", below).
DRIVING_INDEX = {queues.BREACHING: "ix_incidents_sla_breaching_from"}


@pytest.mark.parametrize("queue", sorted(set(queues.QUEUES) - {queues.REVIEW}))
def test_queue_pages_read_their_index(sqlite_world, queue):
    me, *_ = sqlite_world
    first = queues.Listing(queue, me)
    deep = replace(first, after=queues.Cursor(utcnow(), 10**6))
    index = DRIVING_INDEX.get(queue, "ix_incidents_status_activity")
    for statement in (queues.page_query(first), queues.page_query(deep)):
        plan = queues.sqlite_plan(statement)
        assert full_scans(plan) == [], plan
        assert any(index in line for line in plan), plan


def test_filters_do_not_steal_the_index(sqlite_world):
    me, _, _, network, _ = sqlite_world
    narrowed = listing("open", me, priority=2, team_id=network.id, agent_id=me.id)
    plan = queues.sqlite_plan(queues.page_query(narrowed))
    assert full_scans(plan) == []
    assert all("priority_activity" not in line for line in plan)
    assert all("team_activity" not in line for line in plan)


def test_reference_search_reads_the_unique_index(sqlite_world):
    me, *_, made = sqlite_world
    plan = queues.sqlite_plan(queues.page_query(listing("open", me, q=made["held"].reference)))
    assert full_scans(plan) == []
    assert any("(reference=?)" in line for line in plan), plan


def test_tab_counts_do_not_scan_the_table(sqlite_world):
    me, *_ = sqlite_world
    assert full_scans(queues.sqlite_plan(queues.counts_query(me))) == []


def test_tab_counts_and_queue_pages_read_the_index_alone(sqlite_world):
    me, *_ = sqlite_world
    statements = [queues.counts_query(me)]
    statements += [queues.page_query(queues.Listing(q, me)) for q in ("unassigned", "team")]
    for statement in statements:
        plan = queues.sqlite_plan(statement)
        reads = [line for line in plan if line.startswith(("SEARCH incidents", "SCAN incidents"))]
        assert reads and all("COVERING INDEX" in line for line in reads), plan


# The review queue: incidents in any status with mail awaiting review.


def flag(incident, minutes_ago: float) -> Message:
    """A stranger's mail on an incident, arrived some minutes ago."""
    with notify.suppressed():
        message = incidents.add_flagged_note(incident, gen_user(), "Me too")
    moment = utcnow() - timedelta(minutes=minutes_ago)
    db.session.execute(update(Message).where(Message.id == message.id).values(created_at=moment))
    db.session.commit()
    return message


@pytest.fixture
def flagged_crowd(db_app):
    """Twelve incidents in every status with mail awaiting review, its times tied in pairs,
    and three without (one of them reviewed)."""
    agent = gen_user("agent")
    with notify.suppressed():
        made = [gen_incident(subject=f"Flagged {n}") for n in range(12)]
        calm = [gen_incident(subject=f"Calm {n}") for n in range(3)]
    statuses = ["in_progress", "on_hold", "resolved", "closed", "cancelled"]
    for number, incident in enumerate(made):
        flag(incident, minutes_ago=100 - number // 2)
        if number % 4 == 0:
            flag(incident, minutes_ago=200)  # an older one does not change the order
        status = statuses[number % len(statuses)]
        with notify.suppressed():
            if status in ("resolved", "closed"):
                incidents.resolve(incident, agent, "fixed", "Done.")
                if status == "closed":
                    incidents.confirm_resolution(incident, incident.requester)
            elif status == "cancelled":
                incidents.cancel(incident, agent, "Duplicate")
            else:
                incidents.change_status(
                    incident, agent, status, "awaiting_user" if status == "on_hold" else None
                )
    reviewed = flag(calm[0], minutes_ago=1)
    incidents.mark_reviewed(calm[0], reviewed.id, agent)
    for number, incident in enumerate(made + calm):
        set_times(incident, last_activity_at=utcnow() - timedelta(hours=number % 5))
    return agent, made


def newest_flagged_first(made) -> list[int]:
    """Incidents by their newest mail awaiting review, newest first, ties by id."""
    rows = db.session.execute(
        select(Message.incident_id, func.max(Message.created_at))
        .where(Message.needs_review, Message.incident_id.in_([i.id for i in made]))
        .group_by(Message.incident_id)
    )
    newest = dict(rows.all())
    return sorted(newest, key=lambda i: (newest[i], i), reverse=True)


@pytest.mark.parametrize("sort", sorted(queues.REVIEW_SORTS))
def test_review_queue_pages_hold_every_flagged_incident_once_in_order(flagged_crowd, sort):
    agent, made = flagged_crowd
    first = queues.Listing(queues.REVIEW, agent, sort=sort, size=5)
    pages = [ids(page) for page in walk(first, queues.REVIEW_SORTS[sort])]
    assert [len(p) for p in pages] == [5, 5, 2]
    flat = [i for page in pages for i in page]
    expected = newest_flagged_first(made) if sort == "flagged" else expected_order(made, sort)
    assert flat == expected


def test_review_queue_defaults_to_newest_flagged_mail(flagged_crowd):
    assert next(iter(queues.sorts_for(queues.REVIEW))) == "flagged"
    assert "flagged" not in queues.sorts_for("open")


def test_review_queue_previous_links_walk_back(flagged_crowd):
    agent, made = flagged_crowd
    sort = queues.REVIEW_SORTS["flagged"]
    first = queues.Listing(queues.REVIEW, agent, sort="flagged", size=5)
    last = walk(first, sort)[-1]
    back = queues.load_page(replace(first, before=queues.Cursor.decode(last.prev_cursor, sort)))
    assert ids(back) == newest_flagged_first(made)[5:10]


def test_review_page_says_why_each_incident_is_there(flagged_crowd):
    agent, made = flagged_crowd
    page = queues.load_page(queues.Listing(queues.REVIEW, agent, sort="flagged", size=50))
    assert set(page.flagged) == {incident.id for incident in made}
    assert page.flagged[made[0].id].count == 2
    assert page.flagged[made[1].id].count == 1
    other = queues.load_page(queues.Listing("open", agent, size=50))
    assert other.flagged == {}


def test_reviewing_the_last_flagged_mail_takes_the_incident_out(world):
    me, *_, made = world
    theirs = made["theirs"]
    second = incidents.add_flagged_note(theirs, gen_user(), "Me as well")
    first = db.session.scalars(
        select(Message).where(Message.incident_id == theirs.id, Message.needs_review)
    ).first()
    incidents.mark_reviewed(theirs, first.id, me)
    assert theirs.id in ids(queues.load_page(listing(queues.REVIEW, me)))
    assert queues.queue_counts(me)["review"] == 2
    incidents.mark_reviewed(theirs, second.id, me)
    assert ids(queues.load_page(listing(queues.REVIEW, me))) == [made["closed"].id]
    assert queues.queue_counts(me)["review"] == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "closed"}, {"closed"}),
        ({"status": "new"}, set()),
        ({"team_id": "NETWORK"}, {"theirs"}),
        ({"q": "switch"}, {"theirs"}),
        ({"q": "REF:theirs"}, {"theirs"}),
        ({"q": "REF:resolved"}, set()),
        ({"q": "REF:new"}, set()),
    ],
)
def test_filters_narrow_the_review_queue(world, filters, expected):
    me, _, _, network, made = world
    values = {"NETWORK": network.id} | {f"REF:{k}": i.reference for k, i in made.items()}
    filters = {k: values.get(v, v) for k, v in filters.items()}
    page = queues.load_page(listing(queues.REVIEW, me, **filters))
    assert set(ids(page)) == {made[key].id for key in expected}


def review_plans(me) -> list[list[str]]:
    """SQLite's plans for the review queue's first and a deep page, in each sort, and for the
    tab counts."""
    plans = [queues.sqlite_plan(queues.counts_query(me))]
    for sort in queues.REVIEW_SORTS:
        first = queues.Listing(queues.REVIEW, me, sort=sort)
        deep = replace(first, after=queues.Cursor(utcnow(), 10**6))
        plans += [queues.sqlite_plan(queues.page_query(page)) for page in (first, deep)]
    return plans


def test_review_queue_reads_the_flagged_mail_index_not_the_tables(sqlite_world):
    me, *_ = sqlite_world
    for plan in review_plans(me):
        assert full_scans(plan) == [], plan
        assert any("ix_messages_review" in line for line in plan), plan
        scans = [line for line in plan if line.startswith("SCAN messages")]
        assert all("ix_messages_review" in line for line in scans), plan


def test_review_queue_reaches_incidents_by_primary_key(sqlite_world):
    me, *_ = sqlite_world
    plan = queues.sqlite_plan(queues.page_query(queues.Listing(queues.REVIEW, me)))
    incident_lines = [line for line in plan if " incidents " in f"{line} "]
    assert incident_lines == ["SEARCH incidents USING INTEGER PRIMARY KEY (rowid=?)"], plan
