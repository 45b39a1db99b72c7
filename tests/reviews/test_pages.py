"""The console's review pages: the panel on the incident page, the list by state with
overdue counts, one review's sections, editing, status moves, action items and the
Markdown download; agents only."""

from __future__ import annotations

from datetime import date, datetime

from helpdesk.extensions import db
from helpdesk.reviews import action_items
from helpdesk.reviews.action_items import ActionItem
from tests.factories import gen_incident, gen_service, gen_user
from tests.reviews.conftest import p1, resolve
from tests.sql_statements import counted_statements


def test_the_incident_page_links_its_review(client, auth, agent, review):
    auth.login(agent.email)
    page = client.get(f"/agent/incidents/{review.incident.reference}").get_data(as_text=True)
    assert "Post-incident review: draft" in page
    assert f"/agent/reviews/{review.id}" in page


def test_an_incident_without_a_review_shows_no_panel(client, auth, agent):
    incident = gen_incident()
    auth.login(agent.email)
    page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    assert "Post-incident review" not in page


def test_the_list_filters_by_state_and_counts_overdue_actions(client, auth, agent, review, clock):
    action_items.add(
        review, agent, ActionItem("Alert on tunnel count", agent.id, date(2026, 11, 1))
    )
    auth.login(agent.email)
    page = client.get("/agent/reviews").get_data(as_text=True)
    assert review.incident.reference in page
    assert "1 overdue action item<" in page
    assert review.incident.reference not in client.get("/agent/reviews?state=completed").get_data(
        as_text=True
    )
    assert review.incident.reference in client.get("/agent/reviews?state=draft").get_data(
        as_text=True
    )


def test_the_review_page_has_every_section(client, auth, agent, review):
    auth.login(agent.email)
    page = client.get(f"/agent/reviews/{review.id}").get_data(as_text=True)
    for heading in (
        "Summary",
        "Timeline",
        "Impact",
        "Root cause",
        "What went well",
        "What to improve",
        "Action items",
    ):
        assert f">{heading}</h2>" in page
    assert "blameless" in page


def test_editing_and_completing_through_the_forms(client, auth, agent, review):
    auth.login(agent.email)
    assert client.get(f"/agent/reviews/{review.id}/edit").status_code == 200
    answer = client.post(
        f"/agent/reviews/{review.id}/edit",
        data={
            "summary": "VPN down for 2 hours.",
            "root_cause": "",
            "went_well": "Quick page",
            "to_improve": "",
            "facilitator": "",
        },
    )
    assert answer.status_code == 302
    db.session.refresh(review)
    assert (review.summary, review.went_well) == ("VPN down for 2 hours.", "Quick page")
    client.post(f"/agent/reviews/{review.id}/status", data={"target": "in_review"})
    answer = client.post(f"/agent/reviews/{review.id}/status", data={"target": "completed"})
    db.session.refresh(review)
    assert review.status == "in_review"  # no root cause yet
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Write down the root cause before completing the review." in page


def test_action_items_through_the_forms(client, auth, agent, review):
    auth.login(agent.email)
    answer = client.post(
        f"/agent/reviews/{review.id}/actions",
        data={"title": "Add a second concentrator", "owner": str(agent.id), "due_on": "2026-12-20"},
    )
    assert answer.status_code == 302
    action = review.actions[0]
    assert (action.title, action.owner, action.due_on) == (
        "Add a second concentrator",
        agent,
        date(2026, 12, 20),
    )
    client.post(
        f"/agent/reviews/{review.id}/actions/{action.id}",
        data={
            f"action{action.id}-title": "Add two",
            f"action{action.id}-owner": "",
            f"action{action.id}-due_on": "",
        },
    )
    client.post(f"/agent/reviews/{review.id}/actions/{action.id}/status", data={"status": "done"})
    db.session.refresh(action)
    assert (action.title, action.owner, action.status) == ("Add two", None, "done")
    page = client.get(f"/agent/reviews/{review.id}").get_data(as_text=True)
    assert "Add two" in page


def test_a_refused_action_item_keeps_the_input(client, auth, agent, review):
    auth.login(agent.email)
    answer = client.post(f"/agent/reviews/{review.id}/actions", data={"title": " ", "owner": ""})
    assert answer.status_code == 422
    assert "The action&#39;s title cannot be empty." in answer.get_data(as_text=True)


def test_the_markdown_download(client, auth, agent, review):
    auth.login(agent.email)
    answer = client.get(f"/agent/reviews/{review.id}/review.md")
    assert answer.mimetype == "text/markdown"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.get_data(as_text=True).startswith("# Post-incident review: ")


def test_end_users_get_403(client, auth, review):
    user = gen_user("user")
    auth.login(user.email)
    for path in (
        "/agent/reviews",
        f"/agent/reviews/{review.id}",
        f"/agent/reviews/{review.id}/review.md",
    ):
        assert client.get(path).status_code == 403
    assert (
        client.post(f"/agent/reviews/{review.id}/status", data={"target": "in_review"}).status_code
        == 403
    )


def test_an_unknown_review_is_404(client, auth, agent):
    auth.login(agent.email)
    assert client.get("/agent/reviews/999").status_code == 404


def test_the_list_does_not_grow_with_the_number_of_reviews(client, auth, agent, review):
    def statements() -> int:
        with counted_statements() as ran:
            assert client.get("/agent/reviews").status_code == 200
        return len(ran)

    auth.login(agent.email)
    action_items.add(review, agent, ActionItem("One", agent.id, date(2026, 11, 1)))
    few = statements()
    for number in range(5):
        more = resolve(p1(), gen_user("agent"))
        assert more is not None
        action_items.add(more, agent, ActionItem(f"Item {number}", agent.id))
    assert statements() <= few + 1


def test_turning_action_items_into_a_problem_and_a_change(client, auth, agent, review):
    review.incident.service = gen_service("VPN")
    db.session.commit()
    action = action_items.add(review, agent, ActionItem("Automate renewals", agent.id))
    auth.login(agent.email)
    base = f"/agent/reviews/{review.id}/actions/{action.id}"
    client.post(f"{base}/problem")
    answer = client.post(f"{base}/change", data={"planned_start": "2026-12-05T20:00"})
    assert "Give the planned window" in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    client.post(
        f"{base}/change",
        data={"planned_start": "2026-12-05T20:00", "planned_end": "2026-12-05T22:00"},
    )
    db.session.refresh(action)
    assert action.problem.reference.startswith("PRB-")
    assert action.change.reference.startswith("CHG-")
    assert action.change.planned_start == datetime(2026, 12, 5, 20, 0)  # the agent's zone: UTC
    page = client.get(f"/agent/reviews/{review.id}").get_data(as_text=True)
    assert action.problem.reference in page and action.change.reference in page
    assert "Turn into a problem" not in page
