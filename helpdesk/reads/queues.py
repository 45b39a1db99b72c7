"""The read side of the agent console: which incidents each queue holds, filtered, searched,
sorted and cut into keyset pages. Pure SQLAlchemy select builders plus one page loader.

Three choices keep a queue page fast at a million incidents (bench/queues.py measures them):

- Keyset pagination. A page continues after a cursor (sort value, id) instead of skipping
  OFFSET rows, so a deep page costs what the first page costs.
- Fan-out over the status index. "Status in the open statuses" cannot be read from one
  index in last-activity order: the database would sort every open incident. Instead each
  status gets a branch that reads (status, last_activity_at, id) in order and stops after
  one page; the branches (at most four pages of ids) are merged and cut to a page.
- Queue conditions other than status (my agent id, my teams, the filters) are checked on
  the rows the branch reads, never used to pick an index: an agent's or a team's index
  range holds all their closed history too, and would be read to its end whenever the
  queue fits on one page, whereas the open statuses hold only current work. The status
  index carries the assignment and resolution time after its key, so those checks, and
  the tab counts, are read from the index alone, never from the table.

The activity sorts are fully index-backed. The other sorts (priority, created, due) order
the queue's own rows, which the status branches already narrow to current work.

"Breaching soon" is read from the index of the instant the stored SLA clock says each
incident starts breaching soon (sla_breaching_from): only those few rows are read, and
their status checked, never every open incident (see breaching_soon).

"Needs review" is the exception: it holds incidents in any status, closed ones too, that
have mail awaiting review. Its rows are read from the flagged messages (a handful, through
their own index) and joined to incidents by primary key, then sorted; see flagged_mail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)

from helpdesk import lifecycle
from helpdesk.bounds import fits_integer
from helpdesk.extensions import db
from helpdesk.models import Incident, User, utcnow
from helpdesk.reads import incident_search
from helpdesk.reads.flagged_mail import FLAGGED, FlaggedMail, count_query, flagged_mail
from helpdesk.reads.in_order import incidents_in_order

# The queue of incidents with mail awaiting review.
REVIEW = "review"
# The queue of incidents whose SLA target is warned or due within the hour.
BREACHING = "breaching"
# How likely SQLite's planner is told an incident is breaching soon (see breaching_soon).
RARE = "0.001"
QUEUES = {
    "unassigned": "Unassigned",
    "mine": "Mine",
    "team": "My teams",
    "open": "All open",
    BREACHING: "Breaching soon",
    "on_hold": "On hold",
    "resolved": "Recently resolved",
    REVIEW: "Needs review",
}
RECENTLY_RESOLVED_DAYS = 14
# Open statuses in lifecycle order: one fan-out branch each.
OPEN_STATUSES = tuple(s for s in lifecycle.STATUSES if s in lifecycle.OPEN_STATUSES)
# Sorts by resolution due put incidents without a due time last.
NEVER = datetime(9999, 12, 31)
# The SLA targets, in the order they usually fall due.
TARGETS = ("response", "resolution")


@dataclass(frozen=True)
class Sort:
    """One way to order a queue: a value column, its direction, and the id as tie-breaker."""

    label: str
    column: SQLColumnExpression[Any]
    descending: bool
    is_time: bool = True
    # A search rank, a float (see RELEVANCE).
    is_score: bool = False


SORTS = {
    "activity": Sort("Last activity, newest first", Incident.last_activity_at, True),
    "activity_oldest": Sort("Last activity, oldest first", Incident.last_activity_at, False),
    "priority": Sort("Priority, most urgent first", Incident.priority, False, is_time=False),
    "created": Sort("Created, newest first", Incident.created_at, True),
    "due": Sort(
        "Resolution due, soonest first",
        func.coalesce(Incident.resolution_due_at, literal(NEVER, DateTime)),
        False,
    ),
}
DEFAULT_SORT = "activity"
# Offered when the search box holds words: the most relevant first. Its column is the rank
# of the search, which page_query puts in place of this placeholder.
RELEVANCE = "relevance"
RELEVANCE_SORT = Sort(
    "Relevance, best match first", literal_column("search_rank"), False, False, is_score=True
)
# The review queue adds its own sort, first and so its default.
REVIEW_SORTS = {
    "flagged": Sort("Mail awaiting review, newest first", FLAGGED.c.flagged_at, True),
    **SORTS,
}


def _unbreached_due(target: str) -> ColumnElement[datetime]:
    """A target's due time while it runs and is not yet breached, else NEVER."""
    due = getattr(Incident, f"{target}_due_at")
    breached = getattr(Incident, f"{target}_breached_at")
    return func.coalesce(case((breached.is_(None), due)), literal(NEVER, DateTime))


def _earliest_due() -> ColumnElement[datetime]:
    """The earlier of the two targets' due times, among those running and not breached."""
    response, resolution = _unbreached_due("response"), _unbreached_due("resolution")
    return case((response <= resolution, response), else_=resolution)


# Breaching soon is read in the order the targets fall due, and offers the other sorts too.
BREACHING_SORTS = {
    "first_due": Sort("SLA target due soonest first", _earliest_due(), False),
    **SORTS,
}


def sorts_for(queue: str, q: str = "") -> dict[str, Sort]:
    """The sorts a queue offers, its default first; with words to search, relevance first."""
    offered = {REVIEW: REVIEW_SORTS, BREACHING: BREACHING_SORTS}.get(queue, SORTS)
    if incident_search.has_words(q):
        return {RELEVANCE: RELEVANCE_SORT, **offered}
    return offered


@dataclass(frozen=True)
class Cursor:
    """A position in a sorted queue: the sort value and id of a row on a page's edge."""

    value: datetime | int | float
    id: int

    def encode(self) -> str:
        """Return the URL form, e.g. 2024-05-01T09:30:00.000123_4711."""
        value = self.value.isoformat() if isinstance(self.value, datetime) else str(self.value)
        return f"{value}_{self.id}"

    @classmethod
    def decode(cls, token: str | None, sort: Sort) -> Cursor | None:
        """Parse a URL cursor for `sort`; anything malformed, or with a number the database
        cannot hold, means "start at the top"."""
        value, _, ident = (token or "").rpartition("_")
        parsed: datetime | int | float
        try:
            if sort.is_score:
                parsed = float(value)
            else:
                parsed = datetime.fromisoformat(value) if sort.is_time else int(value)
            row_id = int(ident)
        except ValueError:
            return None
        return cls(parsed, row_id) if fits_integer(row_id) and _comparable(parsed) else None


def _comparable(value: datetime | int | float) -> bool:
    """Whether a cursor's sort value is one the database can compare with its own."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, datetime) or fits_integer(value)


@dataclass(frozen=True)
class Filters:
    """What the agent narrowed a queue to; None means "any"."""

    status: str | None = None
    priority: int | None = None
    category_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None
    q: str = ""


@dataclass(frozen=True)
class Listing:
    """Everything that decides one queue page."""

    queue: str
    viewer: User
    filters: Filters = field(default_factory=Filters)
    sort: str = DEFAULT_SORT
    after: Cursor | None = None
    before: Cursor | None = None
    size: int = 25


@dataclass
class Page:
    """One page of a queue and the cursors for its neighbours (None at either end); on the
    review queue also each incident's mail awaiting review."""

    incidents: list[Incident]
    next_cursor: str | None
    prev_cursor: str | None
    flagged: dict[int, FlaggedMail] = field(default_factory=dict)
    # On a search, each incident's best matching passage, matched words marked.
    snippets: dict[int, Markup] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """A queue's rows: one branch per value of an indexed column, plus other conditions;
    or, when `flagged`, the incidents with mail awaiting review that match them all."""

    column: Any
    values: tuple[Any, ...]
    where: tuple[ColumnElement[bool], ...] = ()
    flagged: bool = False


def unindexed(column: Any) -> ColumnElement[Any]:
    """The column as an expression no index can serve, so that the branch's index drives.

    Without statistics SQLite cannot tell that "priority = 2" or "agent = 7" matches far
    more rows (all of history) than "status = 'on_hold'", and may read the wrong index.
    """
    return column + ("" if isinstance(column.type, String) else 0)


def scope_for(queue: str, viewer: User, now: datetime) -> Scope:
    """Return which incidents a queue holds, as branches over the status index.

    Every queue is read through (status, last_activity_at, id), even "mine" and "team": the
    open statuses hold a steady amount of current work, while an agent's or a team's index
    range also holds all their closed history, which would be read to the end whenever the
    queue fits on one page.
    """
    if queue == "unassigned":
        return Scope(
            Incident.status, OPEN_STATUSES, (unindexed(Incident.assigned_agent_id).is_(None),)
        )
    if queue == "mine":
        return Scope(
            Incident.status, OPEN_STATUSES, (unindexed(Incident.assigned_agent_id) == viewer.id,)
        )
    if queue == "team":
        teams = tuple(team.id for team in viewer.teams)
        mine = (unindexed(Incident.assigned_team_id).in_(teams),)
        return Scope(Incident.status, OPEN_STATUSES if teams else (), mine)
    if queue == "open":
        return Scope(Incident.status, OPEN_STATUSES)
    if queue == "on_hold":
        return Scope(Incident.status, (lifecycle.ON_HOLD,))
    if queue == BREACHING:
        # The few incidents breaching soon drive, through sla_breaching_from's index; the
        # status is checked on them (unindexed), not walked over every open incident.
        return Scope(unindexed(Incident.status), OPEN_STATUSES, (breaching_soon(now),))
    if queue == "resolved":
        return Scope(Incident.status, (lifecycle.RESOLVED,), _recently_resolved(now))
    if queue == REVIEW:
        return Scope(Incident.status, lifecycle.STATUSES, flagged=True)
    raise KeyError(queue)


def _recently_resolved(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Resolved within RECENTLY_RESOLVED_DAYS.

    Resolving sets last_activity_at = resolved_at and activity only moves forward, so the
    second condition follows from the first; it bounds the index range that is read.
    """
    cutoff = now - timedelta(days=RECENTLY_RESOLVED_DAYS)
    return Incident.resolved_at >= cutoff, Incident.last_activity_at >= cutoff


def breaching_soon(now: datetime) -> ColumnElement[bool]:
    """A target runs toward its breach and is warned, or due within the hour: the clock
    stores from when (helpdesk.sla.clock.breaching_soon_from), and its index finds them.

    Few incidents are, and SQLite, which keeps no statistics, is told so (likelihood):
    else it walks the activity index in page order over all of history looking for them.
    """
    condition = Incident.sla_breaching_from <= now
    if db.session.get_bind().dialect.name == "sqlite":
        return func.likelihood(condition, literal_column(RARE))
    return condition


def narrowed(scope: Scope, filters: Filters) -> Scope:
    """Apply the filters: on the fan-out column they drop branches, elsewhere they add WHERE."""
    wanted = (
        (Incident.status, filters.status),
        (Incident.assigned_team_id, filters.team_id),
        (Incident.assigned_agent_id, filters.agent_id),
        (Incident.priority, filters.priority),
        (Incident.category_id, filters.category_id),
    )
    values, where = scope.values, list(scope.where)
    for column, value in wanted:
        if value is None:
            continue
        if column is scope.column:
            values = tuple(v for v in values if v == value)
        else:
            where.append(unindexed(column) == value)
    candidates = incident_search.reference_candidates(filters.q)
    if candidates is not None:
        # A reference names one incident: read it from the unique index, then check that
        # it belongs to this queue.
        member = unindexed(scope.column).in_(values) if values else false()
        return replace(
            scope, column=Incident.reference, values=tuple(candidates), where=(member, *where)
        )
    where.extend(incident_search.word_conditions(filters.q))
    return replace(scope, values=values, where=tuple(where))


def _beyond(sort: Sort, cursor: Cursor, descending: bool) -> ColumnElement[bool]:
    """Rows strictly past the cursor in the direction of reading.

    Written as "value <= c AND (value < c OR id < i)" rather than a row-value comparison so
    that every database can use the leading value as an index range.
    """
    column = sort.column
    if descending:
        return and_(column <= cursor.value, or_(column < cursor.value, Incident.id < cursor.id))
    return and_(column >= cursor.value, or_(column > cursor.value, Incident.id > cursor.id))


def _order(columns: Sequence[Any], descending: bool) -> list[Any]:
    """ORDER BY terms all in one direction, so one index scan can deliver them."""
    return [c.desc() if descending else c.asc() for c in columns]


def page_query(listing: Listing, now: datetime | None = None) -> Select[Any]:
    """Build the query for one page's ids and sort values (page size + 1 rows, to see more)."""
    sort = sorts_for(listing.queue, listing.filters.q)[listing.sort]
    matches = incident_search.ranked(listing.filters.q) if sort.is_score else None
    # Sorted by relevance, the ranked matches drive and stand for the search's condition.
    filters = listing.filters if matches is None else replace(listing.filters, q="")
    scope = narrowed(scope_for(listing.queue, listing.viewer, now or utcnow()), filters)
    ranked = None if matches is None else matches.subquery("matches")
    if ranked is not None:
        sort = replace(sort, column=ranked.c.search_rank)
    descending = sort.descending if listing.before is None else not sort.descending
    where = list(scope.where)
    cursor = listing.before or listing.after
    if cursor is not None:
        where.append(_beyond(sort, cursor, descending))
    key: ColumnElement[Any] = sort.column.label("sort_key")
    order = _order([sort.column, Incident.id], descending)
    limit = listing.size + 1
    if ranked is not None:
        return _relevance_query(scope, ranked, where, key, order, limit)
    if scope.flagged:
        return _flagged_query(scope, where, key, order, limit)
    branches = [
        select(Incident.id, key).where(scope.column == value, *where).order_by(*order).limit(limit)
        for value in scope.values
    ]
    if not branches:
        return select(Incident.id, key).where(false())
    if len(branches) == 1:
        return branches[0]
    merged = union_all(*(select(b.subquery()) for b in branches)).subquery()
    return (
        select(merged.c.id, merged.c.sort_key)
        .order_by(*_order([merged.c.sort_key, merged.c.id], descending))
        .limit(limit)
    )


def _flagged_query(
    scope: Scope, where: list[ColumnElement[bool]], key: Any, order: list[Any], limit: int
) -> Select[Any]:
    """One page of the incidents with mail awaiting review, in any sort.

    FLAGGED drives: being grouped it cannot be flattened, and the scope's own column is
    checked unindexed, so the database reads the few flagged rows and then each incident
    by primary key, instead of walking an incidents index in sort order.
    """
    member = unindexed(scope.column).in_(scope.values) if scope.values else false()
    return (
        select(Incident.id, key)
        .select_from(FLAGGED)
        .join(Incident, Incident.id == FLAGGED.c.incident_id)
        .where(member, *where)
        .order_by(*order)
        .limit(limit)
    )


def _relevance_query(
    scope: Scope,
    ranked: Subquery,
    where: list[ColumnElement[bool]],
    key: Any,
    order: list[Any],
    limit: int,
) -> Select[Any]:
    """One page of a search's matches, most relevant first, that belong to the queue.

    The matches drive (the full-text index finds them), each incident is read by primary
    key and its queue membership checked; a search's matches are few next to a queue.
    """
    member = unindexed(scope.column).in_(scope.values) if scope.values else false()
    query = (
        select(Incident.id, key)
        .select_from(ranked)
        .join(Incident, Incident.id == ranked.c.incident_id)
        .where(member, *where)
    )
    if scope.flagged:
        query = query.where(Incident.id.in_(select(FLAGGED.c.incident_id)))
    return query.order_by(*order).limit(limit)


def load_page(listing: Listing) -> Page:
    """Run a page query and load its incidents with what the queue table shows."""
    rows = db.session.execute(page_query(listing)).all()
    more = len(rows) > listing.size
    rows = list(rows[: listing.size])
    backwards = listing.before is not None
    if backwards:
        if not more:  # reached the top: show a full first page rather than a short one
            return load_page(replace(listing, before=None, after=None))
        rows.reverse()
    incidents = incidents_in_order(
        [row.id for row in rows],
        Incident.requester,
        Incident.assigned_team,
        Incident.assigned_agent,
    )
    has_next = True if backwards else more
    has_prev = more if backwards else listing.after is not None
    return Page(
        incidents=incidents,
        next_cursor=Cursor(rows[-1].sort_key, rows[-1].id).encode() if has_next and rows else None,
        prev_cursor=Cursor(rows[0].sort_key, rows[0].id).encode() if has_prev and rows else None,
        flagged=flagged_mail([row.id for row in rows]) if listing.queue == REVIEW else {},
        snippets=incident_search.snippets(listing.filters.q, [row.id for row in rows]),
    )


def counts_query(viewer: User, now: datetime | None = None) -> Select[Any]:
    """Count every queue in one pass over the open incidents (plus the recently resolved,
    and the incidents with mail awaiting review from the flagged messages' index)."""
    agent = unindexed(Incident.assigned_agent_id)
    team = unindexed(Incident.assigned_team_id)
    teams = [t.id for t in viewer.teams]
    resolved = select(func.count()).where(
        Incident.status == lifecycle.RESOLVED, *_recently_resolved(now or utcnow())
    )
    return select(
        func.count().filter(agent.is_(None)).label("unassigned"),
        func.count().filter(agent == viewer.id).label("mine"),
        func.count().filter(team.in_(teams) if teams else false()).label("team"),
        func.count().label("open"),
        func.count().filter(unindexed(Incident.status) == lifecycle.ON_HOLD).label("on_hold"),
        resolved.scalar_subquery().label("resolved"),
        count_query().scalar_subquery().label("review"),
    ).where(Incident.status.in_(OPEN_STATUSES))


def breaching_count_query(now: datetime | None = None) -> Select[Any]:
    """Count "Breaching soon" from sla_breaching_from's index (the few rows it finds are
    checked for an open status), apart from counts_query, which reads the status index."""
    return select(func.count()).where(
        breaching_soon(now or utcnow()), unindexed(Incident.status).in_(OPEN_STATUSES)
    )


def queue_counts(viewer: User) -> dict[str, int]:
    """Return how many incidents each queue holds, for the tabs."""
    row = db.session.execute(counts_query(viewer)).one()
    counts = {name: int(getattr(row, name) or 0) for name in QUEUES if name != BREACHING}
    counts[BREACHING] = int(db.session.scalar(breaching_count_query()) or 0)
    return counts


@dataclass(frozen=True)
class TimeLeft:
    """Where the target due first stands for a queue row: `left` is negative once overdue,
    `state` is running, warned or breached (a target past due that the scheduler has not
    judged yet counts as breached: it is)."""

    target: str
    due_at: datetime
    left: timedelta
    state: str


def time_left(incident: Incident, now: datetime) -> TimeLeft | None:
    """The open incident's target due first and the time left on it at `now`, from the
    stored clock alone; None when no target runs (no policy, paused, met, or not open).

    A breached target's stored due time is its breach, so it is the one due first, and it is
    overdue by the time since its breach.
    """
    if not incident.is_open:
        return None
    running = [
        (due, target)
        for target in TARGETS
        if (due := getattr(incident, f"{target}_due_at")) is not None
    ]
    if not running:
        return None
    due, target = min(running)
    if getattr(incident, f"{target}_breached_at") is not None or due <= now:
        state = "breached"
    elif getattr(incident, f"{target}_warned_at") is not None:
        state = "warned"
    else:
        state = "running"
    return TimeLeft(target, due, due - now, state)


def sqlite_plan(statement: Select[Any]) -> list[str]:
    """Return SQLite's EXPLAIN QUERY PLAN lines for a statement (for tests and the benchmark)."""
    sql = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
    return [row[3] for row in rows]
