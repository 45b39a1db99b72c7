"""Major incidents through the API, on the same service functions as the console and the
status page: declaring one, its children and subscribers (agents), its public updates (read
by anyone; posted by agents), its resolution, and the current and recent ones (public).

`{reference}` names the major incident's own incident. Its public side is anyone's to read
and subscribe to; for the rest the caller must see the incident, as elsewhere in the API.
"""

from __future__ import annotations

from flask import url_for
from spectree import Response

from helpdesk import accounts, major_incidents
from helpdesk.api.auth import agents_only, caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.catalogue import entry_named
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.incident_actions import ON_INCIDENT, WITH_BODY
from helpdesk.api.incidents import summary_out, visible
from helpdesk.api.major_incident_schemas import (
    ChildIn,
    Children,
    MajorIn,
    MajorOut,
    MajorResolveIn,
    Majors,
    SubscriberIn,
    SubscriberOut,
    Subscribers,
    UpdateIn,
    UpdateOut,
    Updates,
)
from helpdesk.api.problems import REFUSALS
from helpdesk.api.schemas import sent
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.core.unit import transaction
from helpdesk.models import MajorIncident, MajorIncidentSubscription, PublicUpdate, User, utcnow
from helpdesk.reads import major_incidents as majors
from helpdesk.reads.incident_search import find_by_reference

TAGS = ["major incidents"]
DECLARED = Response(HTTP_201=MajorOut, **WITH_BODY)
RESOLVED = Response(HTTP_200=MajorOut, **WITH_BODY)
CHILDREN = Response(HTTP_200=Children, **ON_INCIDENT)
ATTACHED = Response(HTTP_201=Children, **WITH_BODY)
SUBSCRIBERS = Response(HTTP_200=Subscribers, **ON_INCIDENT)
SUBSCRIBED = Response(HTTP_200=SubscriberOut, HTTP_201=SubscriberOut, **WITH_BODY)
UPDATES = Response(HTTP_200=Updates, **ON_INCIDENT)
POSTED = Response(HTTP_201=UpdateOut, **WITH_BODY)
LISTED = Response(HTTP_200=Majors, **REFUSALS)


def public_major(reference: str) -> MajorIncident:
    """The major incident a URL names, which anyone may read; else 404 (an incident that is
    not major is not public: the same 404 as none at all)."""
    found = majors.find(reference)
    if found is None:
        raise NotFound(f"No major incident {reference[:40]}.")
    return found


def agents_major(reference: str, what: str) -> MajorIncident:
    """The major incident behind an incident the caller may see, for agents' work."""
    incident = visible(reference)
    agents_only(what)
    found = majors.major_of(incident)
    if found is None:
        raise NotFound(f"{incident.reference} is not a major incident.")
    return found


def update_out(update: PublicUpdate) -> UpdateOut:
    """A public update as the API sends it."""
    return UpdateOut(phase=update.phase, body=update.body, created_at=update.created_at)


def major_out(major: MajorIncident, updates: list[PublicUpdate]) -> MajorOut:
    """A major incident's public side, with its updates newest first."""
    return MajorOut(
        reference=major.incident.reference or "",
        public_title=major.public_title,
        public_summary=major.public_summary,
        phase=major.phase,
        services=[service.name for service in major.services],
        declared_at=major.declared_at,
        resolved_at=major.resolved_at,
        updates=[update_out(update) for update in updates],
    )


def subscriber_out(row: MajorIncidentSubscription) -> SubscriberOut:
    """One subscriber as agents read them."""
    return SubscriberOut(
        email=row.user.email, name=row.user.name, via=row.via, created_at=row.created_at
    )


@bp.get("/major-incidents")
@requires("read")
@spec.validate(resp=LISTED, tags=TAGS)
def major_incident_list() -> Majors:
    """The current major incidents, then those resolved in the last seven days, with their
    public updates: what the status page shows, for anyone."""
    listed = majors.current_and_recent(utcnow())
    updates = majors.updates_of(listed)
    return Majors(items=[major_out(major, updates[major.id]) for major in listed])


@bp.post("/incidents/<reference>/major")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=DECLARED, tags=TAGS)
def major_declare(reference: str, json: MajorIn) -> tuple[MajorOut, int, dict[str, str]]:
    """Declare the incident a major incident: priority 1, a public title and summary, the
    affected services (by name), its requester subscribed (agents only)."""
    incident = visible(reference)
    wanted = sent(json)
    agents_only("declare major incidents")
    services = [entry_named("services", name) for name in wanted.services]
    major = major_incidents.declare(
        incident,
        caller(),
        wanted.public_title,
        wanted.public_summary,
        [ident for ident in services if ident is not None],
    )
    location = url_for("api.major_updates", reference=incident.reference)
    return major_out(major, []), 201, {"Location": location}


@bp.post("/incidents/<reference>/major/resolve")
@requires("write")
@spec.validate(resp=RESOLVED, tags=TAGS)
def major_resolve(reference: str, json: MajorResolveIn) -> MajorOut:
    """Resolve the major incident, its own incident and every open child (their requesters
    get the usual resolved mail), with a final public update (agents only)."""
    major = agents_major(reference, "resolve major incidents")
    wanted = sent(json)
    major_incidents.resolve(major, caller(), wanted.notes, wanted.public_message)
    return major_out(major, majors.updates(major))


@bp.get("/incidents/<reference>/children")
@requires("read")
@spec.validate(resp=CHILDREN, tags=TAGS)
def major_children(reference: str) -> Children:
    """The incidents attached to the major incident, oldest first (agents only)."""
    major = agents_major(reference, "see a major incident's children")
    return Children(items=[summary_out(child) for child in majors.children(major)])


@bp.post("/incidents/<reference>/children")
@requires("write")
@spec.validate(resp=ATTACHED, tags=TAGS)
def major_attach(reference: str, json: ChildIn) -> tuple[Children, int]:
    """Attach an incident (by reference) as a child: linked, not merged; its requester
    gets the public updates. Answers the children (agents only)."""
    major = agents_major(reference, "attach incidents")
    named = sent(json).reference
    child = find_by_reference(named)
    if child is None:
        raise InvalidInput(f"There is no incident {named[:40]}.")
    major_incidents.attach_child(major, child, caller())
    return Children(items=[summary_out(each) for each in majors.children(major)]), 201


@bp.get("/incidents/<reference>/subscribers")
@requires("read")
@spec.validate(resp=SUBSCRIBERS, tags=TAGS)
def major_subscribers(reference: str) -> Subscribers:
    """Everyone who gets the public updates (agents only)."""
    major = agents_major(reference, "see who is subscribed")
    return Subscribers(items=[subscriber_out(row) for row in majors.subscribers(major)])


@bp.post("/incidents/<reference>/subscribers")
@requires("write")
@spec.validate(resp=SUBSCRIBED, tags=TAGS)
def major_subscribe(reference: str, json: SubscriberIn) -> tuple[SubscriberOut, int]:
    """ "I'm affected too": the caller gets the public updates by email; an agent may add
    the person with an address instead (an unknown address becomes an account). 201 when
    newly subscribed, 200 when they were already."""
    major = public_major(reference)
    with transaction():  # a refused subscription keeps no new account
        person, via = _subscriber(sent(json).email)
        added = major_incidents.subscribe(major, person, via, caller())
    row = majors.subscription(major, person)
    assert row is not None  # just subscribed, in the unit that committed
    return subscriber_out(row), 201 if added else 200


def _subscriber(email: str | None) -> tuple[User, str]:
    """Who a subscription is for, and how they came: the caller themself, or (agents)
    the person with `email`."""
    me = caller()
    if email is None or accounts.find_by_email(email) == me:
        return me, "api"
    if not me.is_agent:
        raise NotAllowed("Only agents subscribe other people; leave out the email.")
    return accounts.ensure_user_for_email(email), "agent"


@bp.get("/incidents/<reference>/updates")
@requires("read")
@spec.validate(resp=UPDATES, tags=TAGS)
def major_updates(reference: str) -> Updates:
    """The public updates, newest first: public, as on the status page."""
    major = public_major(reference)
    return Updates(items=[update_out(update) for update in majors.updates(major)])


@bp.post("/incidents/<reference>/updates")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=POSTED, tags=TAGS)
def major_post_update(reference: str, json: UpdateIn) -> tuple[UpdateOut, int]:
    """Post a public update: on the status page, and mailed to every subscriber once
    (agents only)."""
    major = agents_major(reference, "post public updates")
    wanted = sent(json)
    update = major_incidents.post_update(major, caller(), wanted.phase, wanted.body)
    return update_out(update), 201
