"""The workbench's "Possibly related" panel: open incidents that look like this one, found
through the full-text index on SQLite and PostgreSQL alike, each linked in one click."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from helpdesk import incidents, notify
from helpdesk.extensions import db
from helpdesk.models import Incident
from helpdesk.reads.incident_search import Search, Term, to_fts5, to_tsquery
from helpdesk.reads.similar_incidents import (
    distinctive_words,
    possibly_related,
    similarity_search,
)
from tests.conftest import AuthActions, reconfigure
from tests.factories import gen_incident, gen_team, gen_user


@pytest.fixture
def agent(db_app):
    """A service desk agent."""
    person = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [person], service_desk=True)
    return person


@pytest.fixture
def vpn(agent):
    """An incident about the VPN, a look-alike, and an unrelated one."""
    with notify.suppressed():
        return {
            "this": gen_incident(
                subject="VPN disconnects every hour", description="Working from home."
            ),
            "alike": gen_incident(subject="VPN drops hourly", description="Since the update."),
            "printer": gen_incident(subject="Printer jam", description="Paper stuck in tray."),
        }


@pytest.fixture
def browser(db_app, agent):
    """A test client of the same database, signed in as the agent."""
    client = db_app.test_client()
    AuthActions(client).login(agent.email)
    return client


def refs(incident: Incident) -> list[str]:
    return [other.reference for other in possibly_related(incident)]


def test_distinctive_words_leave_out_stop_words_short_words_and_repeats():
    words = distinctive_words("The VPN is down, VPN again", "It happens with the firewall on")
    assert words == ["vpn", "down", "firewall", "happens"]


def test_the_similarity_search_is_an_or_of_quoted_prefixes():
    search = similarity_search('VPN "drops"', "")
    assert search == Search((Term(("vpn",), True), Term(("drops",), True)), any_of=True)
    assert to_fts5(search) == '("vpn"* OR "drops"*)'
    assert to_tsquery(search) == "(('vpn':*) | ('drops':*))"
    excluding = Search((Term(("a",)), Term(("b",)), Term(("c",), excluded=True)), any_of=True)
    assert to_tsquery(excluding) == "(('a') | ('b')) & !('c')"
    assert to_fts5(excluding) == '("a" OR "b") NOT "c"'


def test_a_look_alike_open_incident_comes_first_and_an_unrelated_one_not(vpn):
    assert refs(vpn["this"]) == [vpn["alike"].reference]
    assert refs(vpn["alike"]) == [vpn["this"].reference]


def test_the_closer_match_ranks_higher(vpn):
    with notify.suppressed():
        closer = gen_incident(subject="VPN disconnects hourly", description="Every hour.")
    assert refs(vpn["this"]) == [closer.reference, vpn["alike"].reference]


def test_closed_merged_and_linked_incidents_are_not_offered(vpn, agent):
    with notify.suppressed():
        cancelled = gen_incident(subject="VPN disconnects", description="Every hour.")
        incidents.cancel(cancelled, agent, "Raised twice.")
        duplicate = gen_incident(subject="VPN hour disconnects", description="Again.")
        target = gen_incident(subject="Payroll export", description="Late.")
        incidents.merge(duplicate, agent, target)
    assert refs(vpn["this"]) == [vpn["alike"].reference]
    incidents.link(vpn["this"], agent, vpn["alike"])
    assert refs(vpn["this"]) == []


def test_nothing_is_offered_on_a_closed_incident(vpn, agent):
    incidents.cancel(vpn["this"], agent, "Not needed.")
    assert refs(vpn["this"]) == []


def test_at_most_five_are_offered(vpn):
    with notify.suppressed():
        for n in range(7):
            gen_incident(subject=f"VPN slow {n}", description="Tunnel.")
    assert len(refs(vpn["this"])) == 5
    assert vpn["this"].reference not in refs(vpn["this"])


HOSTILE = [
    '"',
    '"unterminated VPN',
    "* - -- -* ^ $ % _ :",
    "VPN AND printer OR NEAR(a b) NOT x",
    "a & b | !c <-> 'it''s' \\ col:vpn",
    "日本語 テスト Ünïcödé ß 😀",
    "\x00 vpn",
    "x" * 500,
    " ".join(["vpn"] * 150),
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_subjects_never_fail(vpn, text):
    """Whatever the subject and description, the panel's query runs (the subject column
    holds 255 characters; longer text is tried as a draft, never stored)."""
    draft = Incident(subject=text, description=text, status="new")
    found = possibly_related(draft)
    assert {i.id for i in found} <= {i.id for i in vpn.values()}
    if len(text) <= 255 and text.strip("\x00 "):
        with notify.suppressed():
            stored = gen_incident(subject=text, description=text)
        assert stored not in possibly_related(stored)


def button_form(html: str) -> dict[str, str]:
    """The fields of the first Link button's form in the panel, as the browser sends them."""
    form = html.split("Possibly related", 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in form
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))


def test_the_panel_lists_them_and_one_click_links(db_app, vpn, browser):
    reconfigure(db_app, WTF_CSRF_ENABLED=True)
    this, alike = vpn["this"], vpn["alike"]
    html = browser.get(f"/agent/incidents/{this.reference}").get_data(as_text=True)
    panel = html.split("Possibly related", 1)[1].split("</section>", 1)[0]
    assert alike.reference in panel and "VPN drops hourly" in panel
    assert vpn["printer"].reference not in panel
    fields = button_form(html)
    assert fields["link-reference"] == alike.reference and fields["csrf_token"]
    url = f"/agent/incidents/{this.reference}/links"
    forged = {"link-reference": alike.reference}
    assert browser.post(url, data=forged).status_code in (400, 422)
    response = browser.post(url, data=fields, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Linked to {alike.reference}." in html
    assert "Possibly related" not in html
    trail = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("Audit trail", 1)[1]))
    assert f"Sam Desk linked {alike.reference} as related" in trail
    db.session.expire_all()
    assert [other.id for other in incidents.related(this)] == [alike.id]


def test_the_panel_costs_one_query_on_the_index(vpn):
    db.session.refresh(this := vpn["this"])  # the page has the incident loaded already
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        possibly_related(this)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 1
    (sql,) = statements
    assert ("MATCH" in sql or "@@" in sql) and "LIKE" not in sql.upper() and "LIMIT" in sql
