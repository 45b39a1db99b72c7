"""The queue pages: tabs with counts, filters, search, sorting, paging and empty states."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import update

from helpdesk import incidents, notify
from helpdesk.extensions import db
from helpdesk.models import Incident, utcnow
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_team, gen_user


@pytest.fixture
def agent(app, auth):
    """A signed-in agent in the service desk."""
    person = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [person], service_desk=True)
    auth.login(person.email)
    return person


def get(client, path: str) -> str:
    """GET a page that must exist and return its HTML."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def references(html: str) -> list[str]:
    """The incident references listed in a queue table, in order."""
    return re.findall(r'<th scope="row" class="ref"><a [^>]*>(INC-\d+)</a>', html)


def test_tabs_show_counts_and_mark_the_current_queue(client, agent):
    incidents.assign(gen_incident(), agent, None, agent.id)
    gen_incident()
    html = get(client, "/agent/queues/mine")
    current = re.search(r'<a href="/agent/queues/mine" aria-current="page">(.*?)</a>', html, re.S)
    assert current and ">1<" in current.group(1)
    assert re.search(r'href="/agent/queues/open">All open\s*<span class="count"[^>]*>2<', html)


def test_unknown_queue_is_404(client, agent):
    assert client.get("/agent/queues/everything").status_code == 404


def test_queue_lists_its_incidents_with_their_columns(client, agent):
    requester = gen_user(name="Rita Requester", email="rita@example.org")
    incident = gen_incident(requester, subject="Cannot print")
    incidents.assign(incident, agent, None, agent.id)
    html = get(client, "/agent/queues/mine")
    assert references(html) == [incident.reference]
    for text in (
        "Cannot print",
        "Rita Requester",
        "rita@example.org",
        "Assigned",
        "P4 low",
        "Service Desk",
        "Sam Desk",
        "just now",
    ):
        assert text in html, text


def test_overdue_incidents_are_highlighted(client, agent):
    late = gen_incident(subject="Late one")
    db.session.execute(
        update(Incident)
        .where(Incident.id == late.id)
        .values(resolution_due_at=utcnow() - timedelta(hours=2))
    )
    db.session.commit()
    html = get(client, "/agent/queues/open")
    assert '<tr class="overdue">' in html
    assert "Overdue" in html


def test_filters_and_words_search(client, agent):
    gen_incident(subject="VPN drops every hour", urgency="high", impact="high")
    gen_incident(subject="Printer jam")
    html = get(client, "/agent/queues/open?q=vpn+HOUR")
    assert "VPN drops every hour" in html and "Printer jam" not in html
    html = get(client, "/agent/queues/open?priority=4")
    assert "Printer jam" in html and "VPN drops" not in html
    assert '<option selected value="4">P4 low</option>' in html
    assert "Clear filters" in html


def test_a_control_character_in_the_url_is_a_bad_request(client, agent):
    # A NUL would reach the query: PostgreSQL refuses it with an error, SQLite finds nothing.
    response = client.get("/agent/queues/open?q=prin%00ter")
    assert response.status_code == 400
    assert "The request could not be understood" in response.get_data(as_text=True)
    assert client.get("/kb/printer%00jam").status_code == 400


def test_search_by_requester(client, agent):
    gen_incident(gen_user(name="Rita Requester"), subject="First")
    gen_incident(subject="Second")
    html = get(client, "/agent/queues/open?q=rita")
    assert "First" in html and "Second" not in html


def test_search_by_reference_opens_the_incident(client, agent):
    incident = gen_incident()
    response = client.get(f"/agent/queues/mine?q={incident.reference.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agent/incidents/{incident.reference}")


def test_search_for_a_missing_reference_says_so(client, agent):
    html = get(client, "/agent/queues/open?q=INC-999999")
    assert "No incidents match these filters" in html


def test_mangled_filters_are_ignored(client, agent):
    gen_incident(subject="Still listed")
    html = get(client, "/agent/queues/open?priority=abc&status=bogus&sort=nope&after=garbage")
    assert "Still listed" in html


def test_sort_by_priority(client, agent):
    low = gen_incident(subject="Low one", urgency="low", impact="low")
    high = gen_incident(subject="High one", urgency="high", impact="high")
    html = get(client, "/agent/queues/open?sort=priority")
    assert references(html) == [high.reference, low.reference]
    html = get(client, "/agent/queues/open?sort=activity_oldest")
    assert references(html) == [low.reference, high.reference]


def test_next_and_previous_links_page_through_the_queue(app, client, agent):
    reconfigure(app, PAGE_SIZE=2)
    with notify.suppressed():
        made = [gen_incident(subject=f"Item {n}") for n in range(5)]
    newest_first = [i.reference for i in reversed(made)]
    html = get(client, "/agent/queues/open?priority=4")
    seen = references(html)
    assert 'rel="prev"' not in html
    while 'rel="next"' in html:
        link = unescape(re.search(r'<a href="([^"]+)" rel="next"', html).group(1))
        assert "priority=4" in link  # filters travel with the cursor
        html = get(client, link)
        seen += references(html)
    assert seen == newest_first
    link = unescape(re.search(r'<a href="([^"]+)" rel="prev"', html).group(1))
    assert references(get(client, link)) == newest_first[2:4]


@pytest.mark.parametrize(
    ("queue", "text"),
    [
        ("mine", "Nothing is assigned to you right now."),
        ("unassigned", "Every open incident has an agent working on it."),
        ("on_hold", "No incident is on hold."),
        ("resolved", "Nothing was resolved in the last 14 days."),
    ],
)
def test_empty_states(client, agent, queue, text):
    html = get(client, f"/agent/queues/{queue}")
    assert "No incidents here yet" in html
    assert text in html


def test_team_queue_for_an_agent_without_team(client, auth, app):
    loner = gen_user("agent")
    auth.login(loner.email)
    assert "You are not in a team yet" in get(client, "/agent/queues/team")


# The review queue: incidents with mail from people outside them, awaiting review.


@pytest.fixture
def stranger(app):
    """Someone who is neither requester, participant nor agent on the incidents here."""
    return gen_user(name="Sid Stranger", email="sid@elsewhere.example")


def review_tab(html: str) -> str:
    """The Needs review tab's count."""
    return re.search(
        r'href="/agent/queues/review"[^>]*>Needs review\s*<span class="count">(\d+)<', html
    ).group(1)


def test_review_queue_lists_incidents_with_flagged_mail_and_says_why(client, agent, stranger):
    flagged = gen_incident(subject="Printer on fire")
    incidents.add_flagged_note(flagged, stranger, "Mine is on fire too")
    tess = gen_user(name="Tess Outsider")
    incidents.add_flagged_note(flagged, tess, "And mine", reason="Tess is not on it.")
    closed = gen_incident(subject="Old closed one")
    incidents.resolve(closed, agent, "fixed", "Done.")
    incidents.confirm_resolution(closed, closed.requester)
    incidents.add_flagged_note(closed, stranger, "Still broken here")
    incidents.add_note(gen_incident(subject="Calm one"), agent, "Nothing to review")
    html = get(client, "/agent/queues/review")
    assert set(references(html)) == {flagged.reference, closed.reference}
    assert "Calm one" not in html
    assert review_tab(html) == "2"
    assert "Mail awaiting review, newest first" in html
    assert "Mail to review" in html
    assert "2 emails to review" in html and "1 email to review" in html
    assert "from Tess Outsider" in html and "and 1 more" in html
    assert "Tess is not on it." in html  # why the newest mail was flagged
    assert "from Sid Stranger" in html and "&lt;sid@elsewhere.example&gt;" in html
    assert re.search(rf'href="/agent/incidents/{closed.reference}#message-\d+"', html)


def test_review_tab_is_on_every_queue(client, agent, stranger):
    incidents.add_flagged_note(gen_incident(), stranger, "Hello?")
    assert review_tab(get(client, "/agent/queues/mine")) == "1"
    assert "Mail to review" not in get(client, "/agent/queues/open")


def test_marking_the_last_flagged_mail_reviewed_empties_the_queue(client, agent, stranger):
    incident = gen_incident()
    first = incidents.add_flagged_note(incident, stranger, "First")
    second = incidents.add_flagged_note(incident, stranger, "Second")
    base = f"/agent/incidents/{incident.reference}/messages"
    client.post(f"{base}/{first.id}/reviewed")
    html = get(client, "/agent/queues/review")
    assert references(html) == [incident.reference]
    assert "1 email to review" in html
    client.post(f"{base}/{second.id}/reviewed")
    html = get(client, "/agent/queues/review")
    assert references(html) == []
    assert review_tab(html) == "0"
    assert "No incidents here yet" in html
    assert "No mail from people outside an incident is waiting for review." in html


def test_review_queue_offers_its_own_sort_and_the_others_do_not(client, agent, stranger):
    opened_first = gen_incident(subject="Opened first")
    opened_second = gen_incident(subject="Opened second")
    incidents.add_flagged_note(opened_second, stranger, "First")
    incidents.add_flagged_note(opened_first, stranger, "Second")
    html = get(client, "/agent/queues/review")
    assert references(html) == [opened_first.reference, opened_second.reference]
    assert "Mail awaiting review, newest first</option>" in html
    html = get(client, "/agent/queues/review?sort=created")
    assert references(html) == [opened_second.reference, opened_first.reference]
    html = get(client, "/agent/queues/open?sort=flagged")
    assert "Mail awaiting review" not in html
    assert "Last activity, newest first" in html


def test_end_users_and_visitors_cannot_open_the_review_queue(client, auth, stranger):
    incidents.add_flagged_note(gen_incident(stranger), gen_user(), "Private")
    response = client.get("/agent/queues/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(stranger.email)
    response = client.get("/agent/queues/review")
    assert response.status_code == 403
    assert "Private" not in response.get_data(as_text=True)
