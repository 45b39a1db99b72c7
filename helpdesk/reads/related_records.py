"""The ongoing major incidents and the known errors an incident (or a report being typed)
may be about: offered on the agent's incident page (attach or link in one click) and on the
portal's report form ("Is this the ongoing VPN outage? I'm affected too").

Both kinds are few (a handful of current major incidents, at most hundreds of known
errors), so each is scored here by the report's distinctive words
(helpdesk.reads.similar_incidents) found in its text, plus a bonus when it is about the
report's service. Known errors are first narrowed in SQL to those holding one of the words
or sharing the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import KNOWN_ERROR, Incident, MajorIncident, Problem, Service
from helpdesk.reads.incident_search import MAX_WORD_CHARS, WORD
from helpdesk.reads.similar_incidents import distinctive_words

LIMIT = 3
# A record about the report's service ranks above one sharing a word or two with it.
SAME_SERVICE = 3
# Known errors read from the database before scoring, at most.
CANDIDATES = 100

Record = TypeVar("Record", MajorIncident, Problem)


@dataclass(frozen=True)
class Report:
    """What is known of the incident being matched: its words and its service."""

    subject: str
    description: str
    service_id: int | None = None

    @property
    def words(self) -> list[str]:
        """Its distinctive words (those of the similar-incidents panel)."""
        return distinctive_words(self.subject, self.description)


def resemblance(words: Sequence[str], text: str, same_service: bool) -> int:
    """How much a record resembles a report: each of the report's words that begins a word
    of the record's text counts one ("print" finds "printer"), its service SAME_SERVICE."""
    own = {w.lower()[:MAX_WORD_CHARS] for w in WORD.findall(text)}
    found = sum(1 for word in words if any(candidate.startswith(word) for candidate in own))
    return found + (SAME_SERVICE if same_service else 0)


def _best(
    records: Iterable[Record],
    report: Report,
    text_of: dict[int, str],
    services_of: dict[int, list[Service]],
    need_a_word: bool,
) -> list[Record]:
    """The LIMIT records resembling the report most (ties: the newest first)."""
    words = report.words
    scored = []
    for record in records:
        same = any(s.id == report.service_id for s in services_of[record.id])
        score = resemblance(words, text_of[record.id], same)
        if score > (SAME_SERVICE if need_a_word and same else 0):
            scored.append((score, record.id, record))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [record for _, _, record in scored[:LIMIT]]


def _current_majors() -> Select[MajorIncident]:
    """The major incidents not resolved yet, with what their offers show."""
    return (
        select(MajorIncident)
        .where(MajorIncident.resolved_at.is_(None))
        .options(selectinload(MajorIncident.services), selectinload(MajorIncident.incident))
    )


def ongoing_major_incidents_like(report: Report) -> list[MajorIncident]:
    """The current major incidents the report may be about: sharing a word, or its service
    (an ongoing outage of the service someone reports about is most likely theirs)."""
    majors = db.session.scalars(_current_majors()).all()
    text_of = {
        m.id: " ".join(
            (m.public_title, m.public_summary, m.incident.subject, m.incident.description)
        )
        for m in majors
    }
    return _best(majors, report, text_of, {m.id: m.services for m in majors}, need_a_word=False)


def ongoing_outages(report: Report) -> list[MajorIncident]:
    """What the portal's report form asks about ("Is this the ongoing VPN outage?"): the
    current major incidents like the report, or, before anything is typed, the newest
    current ones."""
    if report.words or report.service_id:
        return ongoing_major_incidents_like(report)
    newest = _current_majors().order_by(MajorIncident.declared_at.desc()).limit(LIMIT)
    return list(db.session.scalars(newest))


def known_errors_like(report: Report) -> list[Problem]:
    """The known errors the report may be about: sharing at least one word (their service
    alone is not enough: a service has many known errors)."""
    words = report.words
    if not words:
        return []
    texts = (Problem.title, Problem.description, Problem.root_cause, Problem.workaround)
    holds_a_word = or_(
        false(), *(text.icontains(word, autoescape=True) for word in words for text in texts)
    )
    problems = db.session.scalars(
        select(Problem)
        .where(Problem.status == KNOWN_ERROR, holds_a_word)
        .options(selectinload(Problem.services))
        .order_by(Problem.id.desc())
        .limit(CANDIDATES)
    ).all()
    text_of = {
        p.id: " ".join(filter(None, (p.title, p.description, p.root_cause, p.workaround)))
        for p in problems
    }
    return _best(problems, report, text_of, {p.id: p.services for p in problems}, True)


def for_incident(incident: Incident) -> dict[str, list[MajorIncident] | list[Problem]]:
    """The incident page's offers: major incidents it could be attached to (none when it is
    a major incident or a child already) and known errors it could be linked to (none when
    it has a problem); none at all once it is no longer open."""
    if not incident.is_open:
        return {"possible_majors": [], "possible_known_errors": []}
    report = Report(incident.subject, incident.description, incident.service_id)
    is_major = db.session.scalar(
        select(MajorIncident.id).where(MajorIncident.incident_id == incident.id)
    )
    majors = [] if is_major or incident.parent_id else ongoing_major_incidents_like(report)
    return {
        "possible_majors": [m for m in majors if m.incident_id != incident.id],
        "possible_known_errors": [] if incident.problem_id else known_errors_like(report),
    }
