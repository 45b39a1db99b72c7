"""The shape of one demo incident's story: what is reported and how far it gets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    """One scripted incident; `status` says where the story stops.

    Texts are optional: `question` is the agent's public reply, `answer` the requester's
    reply (for a new incident, a chaser; for a cancelled one, why it is no longer needed),
    `note` an internal note, and `fix` the resolution notes (or the cancellation reason).
    """

    key: str
    team: str
    subject: str
    description: str
    category: str
    service: str | None
    impact: str
    urgency: str
    status: str
    hold: str | None = None
    question: str | None = None
    answer: str | None = None
    note: str | None = None
    fix: str | None = None
    code: str = "fixed"
    workaround: str | None = None
    rating: tuple[int, str | None] | None = None
    channel: str = "portal"
    attachment: str | None = None
    override: tuple[int, str] | None = None
    reopened: str | None = None  # the requester rejects the first resolution with this text
    related: str | None = None  # key of another story to link with
    duplicate_of: str | None = None  # key of the story this one is merged into
    colleague: str | None = None  # mail from someone not on the incident: awaits review
