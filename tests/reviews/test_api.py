"""/api/v1/reviews: agents list, read, change and export reviews and their action items;
everyone else is refused."""

from __future__ import annotations

from datetime import date

import pytest

from helpdesk.reviews import action_items
from helpdesk.reviews.action_items import ActionItem
from tests.api.conftest import token_for
from tests.factories import gen_user


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def headers(agent):
    return token_for(agent)


def test_the_list_filters_by_state(api, headers, review):
    items = api.get("/api/v1/reviews", headers=headers).get_json()["items"]
    assert [(item["id"], item["incident"], item["status"]) for item in items] == [
        (review.id, review.incident.reference, "draft")
    ]
    assert api.get("/api/v1/reviews?state=completed", headers=headers).get_json()["items"] == []
    assert api.get("/api/v1/reviews?state=bogus", headers=headers).status_code == 422


def test_read_with_impact_and_actions(api, headers, agent, review, clock):
    action_items.add(review, agent, ActionItem("Alert on expiry", agent.id, date(2026, 11, 1)))
    body = api.get(f"/api/v1/reviews/{review.id}", headers=headers).get_json()
    assert body["facilitator"] == agent.email
    assert body["impact"]["people_affected"] == 1
    assert body["actions"][0] | {"id": 0} == {
        "id": 0,
        "title": "Alert on expiry",
        "owner": agent.email,
        "due_on": "2026-11-01",
        "status": "open",
        "overdue": True,
        "problem": None,
        "change": None,
    }
    assert (body["open_actions"], body["overdue_actions"]) == (1, 1)


def test_patch_texts_and_status_all_or_nothing(api, headers, review):
    answer = api.patch(
        f"/api/v1/reviews/{review.id}",
        headers=headers,
        json={"summary": "VPN down.", "status": "completed"},
    )
    assert answer.status_code == 422
    assert api.get(f"/api/v1/reviews/{review.id}", headers=headers).get_json()["summary"] == ""
    answer = api.patch(
        f"/api/v1/reviews/{review.id}",
        headers=headers,
        json={
            "summary": "VPN down.",
            "root_cause": "An expired certificate.",
            "status": "in_review",
        },
    )
    assert answer.status_code == 200
    assert (answer.get_json()["summary"], answer.get_json()["status"]) == ("VPN down.", "in_review")


def test_a_facilitator_is_named_by_an_agents_address(api, headers, review):
    other = gen_user("agent")
    answer = api.patch(
        f"/api/v1/reviews/{review.id}", headers=headers, json={"facilitator": other.email}
    )
    assert answer.get_json()["facilitator"] == other.email
    user = gen_user("user")
    answer = api.patch(
        f"/api/v1/reviews/{review.id}", headers=headers, json={"facilitator": user.email}
    )
    assert answer.status_code == 422


def test_timeline_and_markdown(api, headers, review):
    items = api.get(f"/api/v1/reviews/{review.id}/timeline", headers=headers).get_json()["items"]
    assert items[0]["kind"] == "audit"
    assert items[-1]["text"] == "Resolved"
    assert items[0]["at"].endswith("Z")
    answer = api.get(f"/api/v1/reviews/{review.id}/markdown", headers=headers)
    assert answer.mimetype == "text/markdown"
    assert "## Action items" in answer.get_data(as_text=True)


def test_actions_added_and_changed(api, headers, agent, review):
    answer = api.post(
        f"/api/v1/reviews/{review.id}/actions",
        headers=headers,
        json={"title": "Automate renewals", "owner": agent.email, "due_on": "2026-12-20"},
    )
    assert answer.status_code == 201
    action = answer.get_json()
    url = f"/api/v1/reviews/{review.id}/actions/{action['id']}"
    changed = api.patch(url, headers=headers, json={"owner": None, "status": "done"}).get_json()
    assert (changed["owner"], changed["status"], changed["title"], changed["due_on"]) == (
        None,
        "done",
        "Automate renewals",
        "2026-12-20",
    )
    assert api.patch(url, headers=headers, json={"status": "finished"}).status_code == 422
    missing = f"/api/v1/reviews/{review.id}/actions/999"
    assert api.patch(missing, headers=headers, json={"status": "done"}).status_code == 404


def test_an_unknown_owner_is_refused(api, headers, review):
    answer = api.post(
        f"/api/v1/reviews/{review.id}/actions",
        headers=headers,
        json={"title": "x", "owner": "nobody@example.org"},
    )
    assert answer.status_code == 422
    assert "owner must be an agent" in answer.get_json()["detail"]


def test_end_users_are_refused_and_unknown_reviews_are_404(api, headers, review):
    user = token_for(gen_user("user"))
    assert api.get("/api/v1/reviews", headers=user).status_code == 403
    assert api.get(f"/api/v1/reviews/{review.id}", headers=user).status_code == 403
    assert api.get("/api/v1/reviews/999", headers=headers).status_code == 404
