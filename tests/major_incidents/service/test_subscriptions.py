"""Subscribing: once per person however often and however they come; unsubscribing; none
to a major incident that has ended."""

from __future__ import annotations

import pytest

from helpdesk import major_incidents
from helpdesk.core.errors import InvalidInput
from helpdesk.models import MajorIncident
from helpdesk.reads import major_incidents as majors
from tests.factories import gen_user
from tests.major_incidents.conftest import Outage


def test_subscribing_twice_subscribes_once(outage: Outage, declared: MajorIncident):
    dora = gen_user(name="Dora")
    assert major_incidents.subscribe(declared, dora, "portal") is True
    assert major_incidents.subscribe(declared, dora, "api") is False
    assert major_incidents.subscribe(declared, outage.requester, "portal") is False
    assert majors.subscriber_counts([declared]) == {declared.id: 2}
    assert majors.subscription(declared, dora).via == "portal"


def test_unsubscribing(outage: Outage, declared: MajorIncident):
    assert major_incidents.unsubscribe(declared, outage.requester) is True
    assert major_incidents.unsubscribe(declared, outage.requester) is False
    assert majors.subscriber_counts([declared]) == {declared.id: 0}


def test_an_unknown_way_is_refused(declared: MajorIncident):
    with pytest.raises(InvalidInput, match="Unknown way"):
        major_incidents.subscribe(declared, gen_user(), "carrier pigeon")


def test_no_subscribing_once_resolved(outage: Outage, declared: MajorIncident):
    major_incidents.resolve(declared, outage.agent, "Replaced the gateway.", "The VPN is back.")
    with pytest.raises(InvalidInput, match="was resolved"):
        major_incidents.subscribe(declared, gen_user(), "portal")
