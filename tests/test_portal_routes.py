"""Portal pages: my incidents, reporting an incident, and one incident's page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import EVENT, Incident, Message, utcnow
from tests.conftest import reconfigure
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user
from tests.sla_policy import seed_standard


@pytest.fixture
def requester(auth):
    """An end user, signed in."""
    user = gen_user(name="Rita Requester")
    auth.login(user.email)
    return user


def incident_count() -> int:
    """How many incidents exist."""
    return db.session.scalar(select(func.count(Incident.id)))


def report_form(category_id: int, **fields: object) -> dict[str, object]:
    """A complete new-incident form, with any field replaced."""
    return {
        "subject": "VPN drops every hour",
        "description": "Since Monday the VPN disconnects\nevery hour on the hour.",
        "category": str(category_id),
        "service": "",
        "urgency": "high",
        **fields,
    }


# --- My incidents -----------------------------------------------------------------------


def test_list_shows_mine_and_those_i_take_part_in_but_not_others(client, requester):
    mine = gen_incident(requester, subject="My printer is jammed")
    shared = gen_incident(gen_user(), subject="Team share is read-only")
    shared.participants.append(requester)
    db.session.commit()
    gen_incident(gen_user(), subject="Someone else's laptop")

    page = client.get("/my/incidents").get_data(as_text=True)

    assert mine.reference in page and "My printer is jammed" in page
    assert shared.reference in page and "Team share is read-only" in page
    assert "Someone else" not in page


def test_list_shows_status_in_plain_words_and_last_activity(client, requester):
    gen_incident(requester, urgency="high")
    page = client.get("/my/incidents").get_data(as_text=True)
    assert 'class="badge status-new">Received<' in page
    assert "P3" not in page and "moderate" not in page
    assert "just now" in page


def test_open_tab_holds_resolved_and_closed_tab_holds_closed_and_cancelled(client, requester):
    agent = gen_user("agent")
    working = gen_incident(requester, subject="Still being worked")
    resolved = gen_incident(requester, subject="Fixed, please confirm")
    incidents.resolve(resolved, agent, "fixed", "Reset the port.")
    closed = gen_incident(requester, subject="Long done")
    incidents.resolve(closed, agent, "fixed", "Replaced cable.")
    incidents.confirm_resolution(closed, requester)
    cancelled = gen_incident(requester, subject="Reported by mistake")
    incidents.cancel(cancelled, agent, "Duplicate report")

    open_page = client.get("/my/incidents").get_data(as_text=True)
    closed_page = client.get("/my/incidents?tab=closed").get_data(as_text=True)

    assert working.reference in open_page and resolved.reference in open_page
    assert closed.reference not in open_page and cancelled.reference not in open_page
    assert closed.reference in closed_page and cancelled.reference in closed_page
    assert working.reference not in closed_page
    assert 'href="/my/incidents?tab=closed" aria-current="page"' in closed_page


def test_unknown_tab_falls_back_to_open(client, requester):
    incident = gen_incident(requester)
    page = client.get("/my/incidents?tab=everything").get_data(as_text=True)
    assert incident.reference in page


def test_resolved_incidents_waiting_for_me_stand_out(client, requester):
    incident = gen_incident(requester, subject="Wi-Fi in room 4")
    incidents.resolve(incident, gen_user("agent"), "fixed", "Rebooted the access point.")

    page = client.get("/my/incidents").get_data(as_text=True)

    assert "Waiting for your confirmation" in page
    assert "Please confirm" in page
    assert 'class="awaiting"' in page


def test_no_confirmation_callout_when_nothing_is_resolved(client, requester):
    gen_incident(requester)
    assert "Waiting for your confirmation" not in client.get("/my/incidents").get_data(as_text=True)


def test_list_is_newest_activity_first(client, requester):
    older = gen_incident(requester, subject="Older report")
    newer = gen_incident(requester, subject="Newer report")
    older.last_activity_at = utcnow() - timedelta(days=2)
    newer.last_activity_at = utcnow() - timedelta(days=3)
    db.session.commit()
    incidents.add_reply(older, requester, "Any news?")

    page = client.get("/my/incidents").get_data(as_text=True)

    assert page.index("Older report") < page.index("Newer report")


def test_list_is_paginated_by_page_size(app, client, requester):
    reconfigure(app, PAGE_SIZE=2)
    made = [gen_incident(requester, subject=f"Report number {n}") for n in range(3)]
    for age, incident in enumerate(reversed(made)):
        incident.last_activity_at = utcnow() - timedelta(hours=age)
    db.session.commit()

    first = client.get("/my/incidents").get_data(as_text=True)
    second = client.get("/my/incidents?page=2").get_data(as_text=True)

    assert "Report number 2" in first and "Report number 1" in first
    assert "Report number 0" not in first
    assert "Page 1 of 2" in first and 'href="/my/incidents?tab=open&amp;page=2"' in first
    assert "Report number 0" in second and "Report number 2" not in second


def test_empty_list_invites_a_report(client, requester):
    page = client.get("/my/incidents").get_data(as_text=True)
    assert "No open incidents here yet" in page
    assert 'href="/my/incidents/new"' in page


# --- Reporting an incident --------------------------------------------------------------


def test_report_form_offers_only_active_catalogue_entries(client, requester):
    gen_category("Network")
    gen_category("Fax machines", active=False)
    gen_service("Email")
    gen_service("Telex", active=False)

    page = client.get("/my/incidents/new").get_data(as_text=True)

    assert "Network" in page and "Email" in page
    assert "Fax machines" not in page and "Telex" not in page
    assert "High - I cannot work at all" in page
    assert "Up to 10 files, at most 10 MB each." in page
    assert 'name="impact"' not in page


def test_reporting_opens_the_incident_and_shows_it(client, requester):
    category, service = gen_category("Network"), gen_service("VPN")
    data = report_form(
        category.id,
        service=str(service.id),
        attachments=(io.BytesIO(b"vpn log"), "vpn.log"),
        impact="high",  # users cannot set impact; the field is ignored
    )

    response = client.post("/my/incidents/new", data=data, content_type="multipart/form-data")

    incident = db.session.scalars(select(Incident)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/my/incidents/{incident.reference}"
    assert (incident.requester_id, incident.channel) == (requester.id, "portal")
    assert (incident.category_id, incident.service_id) == (category.id, service.id)
    assert (incident.urgency, incident.impact, incident.priority) == ("high", "low", 3)
    first = db.session.scalars(select(Message).where(Message.incident_id == incident.id)).one()
    assert [a.filename for a in first.attachments] == ["vpn.log"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Incident {incident.reference} has been reported." in page
    assert "vpn.log" in page


def test_empty_subject_is_refused_and_input_kept(client, requester):
    category = gen_category()
    response = client.post("/my/incidents/new", data=report_form(category.id, subject="  "))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please give the incident a short subject." in page
    assert "every hour on the hour." in page
    assert incident_count() == 0


def test_category_is_optional_as_for_email(client, requester):
    gen_category("Network")
    form = client.get("/my/incidents/new").get_data(as_text=True)
    response = client.post("/my/incidents/new", data=report_form("", subject="Not sure what"))

    assert '<option selected value="">Not sure</option>' in form
    assert response.status_code == 302
    incident = db.session.scalars(select(Incident)).one()
    assert (incident.subject, incident.category_id) == ("Not sure what", None)


def test_unknown_category_is_refused_and_input_kept(client, requester):
    response = client.post("/my/incidents/new", data=report_form(9999))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown category." in page
    assert 'value="VPN drops every hour"' in page
    assert "every hour on the hour." in page
    assert incident_count() == 0


def test_retired_category_is_refused_and_input_kept(client, requester):
    retired = gen_category("Fax machines", active=False)
    response = client.post("/my/incidents/new", data=report_form(retired.id))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The category &#39;Fax machines&#39; is retired." in page
    assert 'value="VPN drops every hour"' in page
    assert '<input checked id="urgency-0" name="urgency" type="radio" value="high">' in page
    assert incident_count() == 0


# --- One incident -----------------------------------------------------------------------


def test_incident_page_shows_the_facts(client, requester):
    seed_standard()  # the promise comes from the incident's SLA policy
    agent = gen_user("agent")
    network = gen_team("Network", members=[agent])
    incident = gen_incident(
        requester,
        subject="Cannot reach intranet",
        category_id=gen_category("Network").id,
        service_id=gen_service("Intranet").id,
        urgency="high",
    )
    incidents.assign(incident, agent, network.id, agent.id)

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)

    assert "Cannot reach intranet" in page and incident.reference in page
    assert 'class="badge status-assigned">Picked up<' in page
    assert "P3" not in page and "moderate" not in page
    assert "within 4 business hours and to resolve it within 3 business days" in page
    assert "Intranet" in page and "Rita Requester" in page
    assert "<dt>Handled by</dt><dd>Network</dd>" in page


def test_reference_is_case_insensitive(client, requester):
    incident = gen_incident(requester)
    assert client.get(f"/my/incidents/{incident.reference.lower()}").status_code == 200


def test_incident_page_shows_public_replies_escaped_with_attachments(client, requester):
    agent = gen_user("agent", name="Alex Agent")
    incident = gen_incident(requester, description="<script>alert(1)</script>\n  indented")
    incidents.add_reply(
        incident,
        agent,
        "Please try the new driver.",
        channel="agent",
        attachments=[incidents.NewAttachment("driver.zip", "application/zip", b"PK")],
    )

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n  indented" in page
    assert "<script>alert(1)" not in page
    assert "Alex Agent" in page and "Please try the new driver." in page
    attachment = db.session.scalars(select(Message).where(Message.author_id == agent.id)).one()
    link = f"/attachments/{attachment.attachments[0].id}/driver.zip"
    assert link in page
    assert client.get(link).data == b"PK"


def test_system_events_are_not_shown(client, requester):
    incident = gen_incident(requester)
    db.session.add(
        Message(incident_id=incident.id, kind=EVENT, channel="system", body="Escalated to L2.")
    )
    db.session.commit()
    assert "Escalated to L2." not in client.get(f"/my/incidents/{incident.reference}").text


def test_resolution_is_shown_once_resolved(client, requester):
    incident = gen_incident(requester)
    url = f"/my/incidents/{incident.reference}"
    assert "Resolution" not in client.get(url).text

    incidents.resolve(
        incident, gen_user("agent"), "workaround", "Printer queue was stuck.", "Print to PDF."
    )
    page = client.get(url).get_data(as_text=True)

    assert "Workaround provided" in page
    assert "Printer queue was stuck." in page and "Print to PDF." in page
    assert "Is it fixed?" in page


def test_waiting_for_the_user_is_said_plainly(client, requester):
    incident = gen_incident(requester)
    incidents.change_status(incident, gen_user("agent"), "on_hold", "awaiting_user")
    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    assert "We are waiting for information from you." in page


def test_merged_incident_points_to_where_the_conversation_went(client, requester):
    agent = gen_user("agent")
    duplicate = gen_incident(requester, description="Same outage, reported twice.")
    target = gen_incident(gen_user())
    incidents.merge(duplicate, agent, target)

    page = client.get(f"/my/incidents/{duplicate.reference}").get_data(as_text=True)

    assert f'href="/my/incidents/{target.reference}"' in page
    assert "the conversation continues there" in page
    assert "Add a reply" not in page and "Your rating" not in page
    assert "Same outage, reported twice." in client.get(f"/my/incidents/{target.reference}").text


def test_unknown_reference_is_404(client, requester):
    assert client.get("/my/incidents/INC-999999").status_code == 404
