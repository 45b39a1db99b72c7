"""A VPN outage: an agent on the service desk, the requester who reported it first, and the
VPN service; `declared` makes it a major incident."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from helpdesk import major_incidents
from helpdesk.models import Incident, MajorIncident, Service, User
from tests.factories import gen_incident, gen_service, gen_team, gen_user


@dataclass
class Outage:
    """The people and records of one outage."""

    agent: User
    requester: User
    incident: Incident
    vpn: Service


@pytest.fixture
def outage(app, clock) -> Outage:
    """An open incident about the VPN, reported by Rita, and Ann on the service desk."""
    agent = gen_user("agent", name="Ann Agent")
    gen_team("Service Desk", [agent], service_desk=True)
    requester = gen_user(name="Rita Requester")
    vpn = gen_service("VPN")
    incident = gen_incident(requester, subject="vpn-gw-02 down for Rita's team")
    return Outage(agent, requester, incident, vpn)


def declare(outage: Outage) -> MajorIncident:
    """Declare the outage's incident a major incident on the VPN."""
    return major_incidents.declare(
        outage.incident,
        outage.agent,
        "VPN outage",
        "Remote staff cannot connect to the VPN.",
        [outage.vpn.id],
    )


@pytest.fixture
def declared(outage: Outage) -> MajorIncident:
    """The outage declared a major incident."""
    return declare(outage)
