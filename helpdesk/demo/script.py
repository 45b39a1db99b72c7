"""Playing one demo story through the service layer, each step on the demo clock."""

from __future__ import annotations

import random
from datetime import datetime

from helpdesk import incidents, lifecycle
from helpdesk.demo.cast import Cast
from helpdesk.demo.clock import Clock
from helpdesk.demo.files import demo_file
from helpdesk.demo.story import Story
from helpdesk.models import Incident, User
from helpdesk.priority import priority_for

# Urgent incidents move faster: waits between steps are scaled by priority.
PACE = {1: 0.15, 2: 0.4, 3: 1.0, 4: 1.5, 5: 2.0}
REOPEN_REPLY = "Sorry to hear that. I'm looking at it again and will update you shortly."


class Scene:
    """One story being played: who is involved, and the incident once it is open."""

    def __init__(self, story: Story, cast: Cast, clock: Clock, rng: random.Random) -> None:
        """Cast the story: a requester picked at random, the team's agent, the desk agent."""
        self.story = story
        self.cast = cast
        self.clock = clock
        self.rng = rng
        self.requester: User = rng.choice(cast.users)
        self.agent = cast.agents[story.team]
        self.desk = cast.agents["Service Desk"]
        self.pace = PACE[priority_for(story.impact, story.urgency)]
        self.incident: Incident

    def wait(self, low: float, high: float, paced: bool = True) -> None:
        """Let some demo minutes pass before the next step."""
        minutes = self.rng.uniform(low, high) * (self.pace if paced else 1)
        self.clock.advance(minutes)

    def play(self, partners: list[Incident]) -> Incident:
        """Play the story up to its final status; link it to already-played `partners`."""
        status = self.story.status
        self.open()
        self.link(partners)
        self.colleague_writes()
        if status == lifecycle.NEW:
            self.chase()
            return self.incident
        self.triage()
        if status == lifecycle.CANCELLED:
            self.cancel()
            return self.incident
        self.assign()
        if status == lifecycle.ASSIGNED:
            self.note()
            return self.incident
        self.start_work()
        if status == lifecycle.ON_HOLD and self.story.hold == "awaiting_user":
            self.hold()  # the agent's question is the last word until the requester answers
            return self.incident
        self.converse()
        if status == lifecycle.ON_HOLD:
            self.hold()
        elif status in (lifecycle.RESOLVED, lifecycle.CLOSED):
            self.resolve_and_close()
        return self.incident

    def open(self) -> None:
        """The requester reports the incident (email reports come unclassified)."""
        story = self.story
        by_email = story.channel == "email"
        report = incidents.IncidentReport(
            subject=story.subject,
            description=story.description,
            category_id=None if by_email else self.cast.categories[story.category].id,
            service_id=None if by_email or not story.service else self._service_id(),
            urgency="medium" if by_email else story.urgency,
            impact="low" if by_email else story.impact,
            channel=story.channel,
            attachments=[demo_file(story.attachment)] if story.attachment else [],
            participants=self._copied() if by_email else [],
            email_message_id=self._mail_id() if by_email else None,
        )
        self.incident = incidents.open_incident(self.requester, report)

    def chase(self) -> None:
        """On a new incident, the requester may ask for news."""
        if self.story.answer:
            self.wait(30, 240, paced=False)
            self.requester_reply(self.story.answer)

    def triage(self) -> None:
        """The service desk classifies the incident and takes ownership of it."""
        story = self.story
        override, reason = story.override or (None, None)
        self.wait(5, 40)
        incidents.classify(
            self.incident,
            self.desk,
            incidents.Classification(
                impact=story.impact,
                urgency=story.urgency,
                category_id=self.cast.categories[story.category].id,
                service_id=self._service_id() if story.service else None,
                override_priority=override,
                override_reason=reason,
            ),
        )
        self.wait(1, 5)
        incidents.take_ownership(self.incident, self.desk)

    def cancel(self) -> None:
        """The requester says it is not needed after all, and the desk cancels it."""
        if self.story.answer:
            self.wait(20, 300, paced=False)
            self.requester_reply(self.story.answer)
        self.wait(5, 60)
        incidents.cancel(self.incident, self.desk, self.story.fix or "Not needed.")

    def assign(self) -> None:
        """Assign to the story's team; queued team work sometimes has no agent yet."""
        team = self.cast.teams[self.story.team]
        named = self.story.status != lifecycle.ASSIGNED or self.rng.random() < 0.5
        self.wait(2, 20)
        incidents.assign(self.incident, self.desk, team.id, self.agent.id if named else None)

    def link(self, partners: list[Incident]) -> None:
        """The agent spots related incidents reported earlier and links them."""
        for other in partners:
            self.wait(5, 30)
            incidents.link(self.incident, self.agent, other)

    def colleague_writes(self) -> None:
        """Someone not on the incident replies to its mail: kept for an agent to review."""
        if self.story.colleague:
            self.wait(15, 90)
            colleague = self.rng.choice([u for u in self.cast.users if u != self.requester])
            incidents.add_flagged_note(self.incident, colleague, self.story.colleague)

    def note(self) -> None:
        """An agent leaves an internal note, if the story has one."""
        if self.story.note:
            self.wait(10, 180)
            incidents.add_note(self.incident, self.agent, self.story.note)

    def start_work(self) -> None:
        """The agent starts work and asks or tells the requester something."""
        self.wait(10, 120)
        incidents.change_status(self.incident, self.agent, lifecycle.IN_PROGRESS)
        if self.story.question:
            self.wait(5, 90)
            self.agent_reply(self.story.question)

    def converse(self) -> None:
        """The requester answers, and the agent records what they found."""
        if self.story.answer:
            self.wait(30, 600, paced=False)
            self.requester_reply(self.story.answer)
        self.note()

    def hold(self) -> None:
        """Put the incident on hold for the story's reason."""
        self.wait(2, 30)
        incidents.change_status(self.incident, self.agent, lifecycle.ON_HOLD, self.story.hold)

    def resolve_and_close(self) -> None:
        """Resolve (once more after a rejection), then the requester confirms and rates."""
        story = self.story
        self.wait(60, 1800)
        incidents.resolve(self.incident, self.agent, story.code, story.fix or "", story.workaround)
        if story.reopened:
            self.wait(60, 1200, paced=False)
            incidents.reject_resolution(self.incident, self.requester, story.reopened)
            self.wait(20, 180)
            self.agent_reply(REOPEN_REPLY)
            self.wait(60, 1200)
            incidents.resolve(self.incident, self.agent, story.code, story.fix or "")
        if story.status == lifecycle.CLOSED:
            self.wait(60, 2400, paced=False)
            incidents.confirm_resolution(self.incident, self.requester)
        if story.rating:
            self.wait(1, 15, paced=False)
            incidents.rate(self.incident, self.requester, *story.rating)

    def play_duplicate(self, original: Incident, reported: datetime) -> Incident:
        """Someone else reports the same outage; the desk merges it into the open original."""
        self.requester = self.rng.choice(
            [user for user in self.cast.users if user.id != original.requester_id]
        )
        self.clock.begin(reported)
        self.open()
        self.wait(10, 40, paced=False)
        incidents.merge(self.incident, self.desk, original)
        return self.incident

    def agent_reply(self, text: str) -> None:
        """A public reply from the story's agent."""
        incidents.add_reply(self.incident, self.agent, text, channel="agent")

    def requester_reply(self, text: str) -> None:
        """A reply from the requester, by email or on the portal like their report."""
        by_email = self.story.channel == "email"
        incidents.add_reply(
            self.incident,
            self.requester,
            text,
            channel=self.story.channel,
            email_message_id=self._mail_id() if by_email else None,
        )

    def _service_id(self) -> int:
        """The story's affected service."""
        return self.cast.services[self.story.service or ""].id

    def _copied(self) -> list[User]:
        """Sometimes a colleague is in copy of an emailed report."""
        others = [user for user in self.cast.users if user.id != self.requester.id]
        return [self.rng.choice(others)] if self.rng.random() < 0.4 else []

    def _mail_id(self) -> str:
        """A Message-ID like the one the requester's mail client would have set."""
        return f"<{self.rng.getrandbits(64):016x}@mail.demo.helpdesk>"
