"""SLA policies through the API: agents read them back as configured; end users may not."""

from __future__ import annotations

from flask.testing import FlaskClient

from helpdesk.sla_policies import store
from tests.api.conftest import Caller
from tests.factories import gen_service
from tests.sla_policy import fields, seed_standard

PROBLEM = "application/problem+json"
WEEKEND = {"sat": ["10:00-14:00"], "sun": []}


def _seed_vpn_policy() -> tuple[int, int]:
    """The standard policy and one for the VPN service on a Berlin calendar; their ids."""
    standard = seed_standard()
    vpn = gen_service("VPN")
    store.create_calendar(
        None,
        "Berlin office",
        {
            "timezone": "Europe/Berlin",
            "hours": {"mon": ["08:00-12:00", "13:00-17:00"], **WEEKEND},
            "holidays": ["2026-12-24"],
            "country": "DE",
            "subdivision": "BY",
        },
    )
    targets = {
        **{key: {"response": "1h", "resolution": "8h"} for key in ("P3", "P4", "P5")},
        "P1": {"response": "15m", "resolution": "2h30m", "clock": "24x7"},
        "P2": {"response": "30m", "resolution": "6h", "clock": "24x7"},
    }
    scoped = store.create_policy(
        None,
        "VPN",
        fields(
            calendar="Berlin office",
            targets=targets,
            service_id=vpn.id,
            pause_on=["awaiting_user", "awaiting_vendor"],
            warn_at=0.5,
            escalate_on="breach",
        ),
    )
    return standard.id, scoped.id


def test_an_agent_reads_a_policy_as_configured(api: FlaskClient, agent: Caller):
    _, vpn_id = _seed_vpn_policy()
    policy = api.get(f"/api/v1/sla/policies/{vpn_id}", headers=agent.headers).json
    assert policy["name"] == "VPN" and policy["is_default"] is False
    assert policy["service"]["name"] == "VPN" and policy["category"] is None
    assert policy["pause_on"] == ["awaiting_user", "awaiting_vendor"]
    assert policy["warn_at"] == 0.5 and policy["escalate_on"] == "breach"
    assert policy["targets"][0] == {
        "priority": 1,
        "response": "15m",
        "response_minutes": 15,
        "resolution": "2h30m",
        "resolution_minutes": 150,
        "clock": "24x7",
    }
    assert [t["priority"] for t in policy["targets"]] == [1, 2, 3, 4, 5]
    assert policy["targets"][2]["clock"] == "business"
    assert policy["targets"][2]["resolution_minutes"] == 480
    calendar = policy["calendar"]
    assert calendar["timezone"] == "Europe/Berlin"
    assert calendar["hours"]["mon"] == ["08:00-12:00", "13:00-17:00"]
    assert calendar["hours"]["sat"] == ["10:00-14:00"] and calendar["hours"]["tue"] == []
    assert calendar["holidays"] == ["2026-12-24"]
    assert (calendar["country"], calendar["subdivision"]) == ("DE", "BY")


def test_the_list_holds_every_policy_by_name_with_the_default_marked(
    api: FlaskClient, agent: Caller
):
    _seed_vpn_policy()
    listed = api.get("/api/v1/sla/policies", headers=agent.headers).json["items"]
    assert [(p["name"], p["is_default"]) for p in listed] == [("Standard", True), ("VPN", False)]
    assert listed[0]["calendar"]["name"] == "Office hours" and listed[0]["service"] is None


def test_end_users_may_not_read_policies(api: FlaskClient, requester: Caller):
    standard_id, _ = _seed_vpn_policy()
    for url in ("/api/v1/sla/policies", f"/api/v1/sla/policies/{standard_id}"):
        refused = api.get(url, headers=requester.headers)
        assert refused.status_code == 403 and refused.mimetype == PROBLEM


def test_an_unknown_policy_is_not_found(api: FlaskClient, agent: Caller):
    for policy_id in (999, 99999999999):
        missing = api.get(f"/api/v1/sla/policies/{policy_id}", headers=agent.headers)
        assert missing.status_code == 404 and missing.json["code"] == "not_found"
