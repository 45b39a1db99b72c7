"""The open incidents possibly related to one incident, offered on its workbench so an agent
can link them in one click (issue 13).

The incident's own distinctive words (its subject's, then a few of its description's
longest) become a search that any of them satisfies, ranked by the full-text index
(helpdesk.reads.incident_search): one query, on the index, at most LIMIT rows. Every word
goes through the same quoting compilers as the search box, so no subject reaches the
database as syntax.
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, select, union

from helpdesk import lifecycle
from helpdesk.extensions import db
from helpdesk.models import Incident, IncidentLink
from helpdesk.reads.incident_search import MAX_WORD_CHARS, WORD, Search, Term, ranked_search

LIMIT = 5
MIN_WORD_CHARS = 3
SUBJECT_WORDS = 8
DESCRIPTION_WORDS = 4
# Words too common in incidents to say what one is about.
COMMON = """
    about after again all also and any are because been before but can cannot could did
    does doesn don done for from get gets got had has have her his how into its just not
    now off once only our out over please since some still than that the their them then
    there these they this those too very was were what when where which while who why
    will with won would you your hello thanks thank issue problem help
"""
STOP_WORDS = frozenset(COMMON.split())


def distinctive_words(subject: str, description: str) -> list[str]:
    """The words that say what an incident is about: the subject's (in order), then the
    description's longest, lower-cased, without stop-words, short words or repeats."""

    def candidates(text: str) -> list[str]:
        words = (w.lower()[:MAX_WORD_CHARS] for w in WORD.findall(text or ""))
        kept = (w for w in words if len(w) >= MIN_WORD_CHARS and w not in STOP_WORDS)
        return list(dict.fromkeys(kept))

    chosen = candidates(subject)[:SUBJECT_WORDS]
    extra = [w for w in candidates(description) if w not in chosen]
    chosen += sorted(extra, key=len, reverse=True)[:DESCRIPTION_WORDS]
    return chosen


def similarity_search(subject: str, description: str) -> Search:
    """A search any of the incident's distinctive words satisfies, each also matching the
    words it begins ("hour" finds "hourly")."""
    words = distinctive_words(subject, description)
    return Search(tuple(Term((word,), prefix=True) for word in words), any_of=True)


def _linked_ids(incident: Incident) -> CompoundSelect[tuple[int]]:
    """The ids of the incidents already linked to this one (a link is stored once)."""
    return union(
        select(IncidentLink.high_id).where(IncidentLink.low_id == incident.id),
        select(IncidentLink.low_id).where(IncidentLink.high_id == incident.id),
    )


def possibly_related(incident: Incident) -> list[Incident]:
    """Up to LIMIT open incidents, not this one, not linked to it, not merged, most similar
    to it first; none when the incident itself is no longer open."""
    if incident.status not in lifecycle.OPEN_STATUSES:
        return []
    matches = ranked_search(similarity_search(incident.subject, incident.description))
    if matches is None:
        return []
    hits = matches.subquery("hits")
    statement = (
        select(Incident)
        .join(hits, Incident.id == hits.c.incident_id)
        .where(
            Incident.status.in_(lifecycle.OPEN_STATUSES),
            Incident.merged_into_id.is_(None),
            Incident.id != incident.id,
            Incident.id.not_in(_linked_ids(incident)),
        )
        .order_by(hits.c.search_rank, Incident.id.desc())
        .limit(LIMIT)
    )
    return list(db.session.scalars(statement))
