"""Deflection: articles suggested to someone about to report an incident, and what came of
them. A "solved" answer is a deflection (no incident needed); reporting anyway records
which articles were shown, so admins see how often suggestions solve problems (the
deflection rate) and which articles fail to. Like helpdesk.kb.service, each writer
validates first, writes, and commits once at its end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from helpdesk import incidents
from helpdesk.bounds import parse_id
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.kb import search
from helpdesk.kb.search import Result
from helpdesk.models import Incident, KnowledgeArticle, User, utcnow
from helpdesk.models.kb import (
    AGENTS,
    EMAIL,
    FILED,
    PORTAL,
    PUBLIC,
    PUBLISHED,
    SOLVED,
    SuggestionOutcome,
)

# Suggestions shown on the report form, and at most this many ids remembered per outcome.
SUGGESTIONS = 5
# Eighteen of the longest ids (ten digits) and their commas fit the 200-character column.
SHOWN_MAX = 18
# Text shorter than this suggests nothing: two letters match half the knowledge base.
MIN_TEXT = 3
TEXT_MAX = 4000


def suggestions(text: str, user: User | None, limit: int = SUGGESTIONS) -> list[Result]:
    """The articles that may solve what `text` describes, that this reader may see."""
    typed = " ".join((text or "").split())[:TEXT_MAX]
    if len(typed) < MIN_TEXT:
        return []
    return search.suggest(typed, search.audience_for(user), limit)


def shown_ids(raw: str | Iterable[object] | None) -> list[int]:
    """The article ids a form says were shown ("12,7,30"), deduplicated, junk dropped."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw or [])
    ids: list[int] = []
    for part in parts:
        article_id = parse_id(str(part).strip())
        if article_id is not None and article_id not in ids and len(ids) < SHOWN_MAX:
            ids.append(article_id)
    return ids


def _shown_text(raw: str | Iterable[object] | None) -> str:
    """The shown ids as stored: comma-separated."""
    return ",".join(str(article_id) for article_id in shown_ids(raw))


def readable_by(article: KnowledgeArticle | None, user: User | None) -> bool:
    """Whether this person may read the article: published, and public unless an agent."""
    if article is None or article.status != PUBLISHED:
        return False
    return article.audience == PUBLIC or search.audience_for(user) == AGENTS


@unit_of_work
def record_solved(
    user: User | None, article: KnowledgeArticle, shown: str | Iterable[object] | None = None
) -> SuggestionOutcome:
    """An article solved the problem on the report form: a deflection, nothing is filed."""
    if not readable_by(article, user):
        raise InvalidInput("That article is not available.")
    outcome = SuggestionOutcome(
        outcome=SOLVED,
        channel=PORTAL,
        user_id=user.id if user is not None else None,
        article_id=article.id,
        shown=_shown_text(shown) or str(article.id),
        created_at=utcnow(),
    )
    db.session.add(outcome)
    commit()
    return outcome


@unit_of_work
def record_filed(
    user: User, incident: Incident, shown: str | Iterable[object] | None
) -> SuggestionOutcome | None:
    """The user reported the incident although articles were shown (nothing if none were)."""
    if incident.requester_id != user.id:
        raise NotAllowed("Only the person who reported the incident can say what they saw.")
    text = _shown_text(shown)
    if not text:
        return None
    outcome = SuggestionOutcome(
        outcome=FILED,
        channel=PORTAL,
        user_id=user.id,
        incident_id=incident.id,
        shown=text,
        created_at=utcnow(),
    )
    db.session.add(outcome)
    commit()
    return outcome


@unit_of_work
def record_email_answer(
    user: User, incident: Incident, article: KnowledgeArticle, helped: bool
) -> None:
    """The requester says whether an article in the acknowledgement email helped."""
    if incident.requester_id != user.id:
        raise NotAllowed("Only the person who reported the incident can answer this.")
    if not readable_by(article, user):
        raise InvalidInput("That article is not available any more.")
    answered = db.session.scalar(
        select(SuggestionOutcome).where(
            SuggestionOutcome.incident_id == incident.id,
            SuggestionOutcome.channel == EMAIL,
        )
    )
    if answered is None:
        answered = SuggestionOutcome(channel=EMAIL, user_id=user.id, incident_id=incident.id)
        db.session.add(answered)
    answered.outcome = SOLVED if helped else FILED
    answered.article_id = article.id if helped else None
    answered.shown = str(article.id)
    answered.created_at = utcnow()
    commit()


@unit_of_work
def fixed_by_email_article(user: User, incident: Incident, article: KnowledgeArticle) -> None:
    """ "This fixed it" from the acknowledgement: a deflection, and the requester's incident
    is resolved and closed."""
    record_email_answer(user, incident, article, helped=True)
    incidents.resolve_by_requester(incident, user, article)
    commit()


@dataclass(frozen=True)
class DeflectionRate:
    """How often suggested articles solved the problem in a period."""

    solved: int
    filed: int

    @property
    def answered(self) -> int:
        """Everyone who saw suggestions and either was helped or reported anyway."""
        return self.solved + self.filed

    @property
    def rate(self) -> float | None:
        """Deflections / (deflections + incidents filed after seeing suggestions)."""
        return self.solved / self.answered if self.answered else None


def deflection_rate(since: datetime, until: datetime | None = None) -> DeflectionRate:
    """The deflection rate from `since` until `until` (default: now), portal and email
    together."""
    rows = db.session.execute(
        select(SuggestionOutcome.outcome, func.count())
        .where(_within(since, until))
        .group_by(SuggestionOutcome.outcome)
    )
    counts = {outcome: count for outcome, count in rows}
    return DeflectionRate(counts.get(SOLVED, 0), counts.get(FILED, 0))


def top_solvers(
    since: datetime, until: datetime | None = None, limit: int = 10
) -> list[tuple[KnowledgeArticle, int]]:
    """The articles that solved the most problems from `since` until `until`."""
    rows = db.session.execute(
        select(KnowledgeArticle, func.count(SuggestionOutcome.id))
        .join(SuggestionOutcome, SuggestionOutcome.article_id == KnowledgeArticle.id)
        .where(SuggestionOutcome.outcome == SOLVED, _within(since, until))
        .group_by(KnowledgeArticle.id)
        .order_by(func.count(SuggestionOutcome.id).desc(), KnowledgeArticle.title)
        .limit(limit)
    )
    return [(article, count) for article, count in rows]


def _within(since: datetime, until: datetime | None) -> ColumnElement[bool]:
    """An outcome recorded from `since` until before `until` (None: up to now)."""
    recorded = SuggestionOutcome.created_at
    return and_(recorded >= since, recorded < until) if until else recorded >= since
