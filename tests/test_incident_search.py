"""Full-text search of incidents: what the agent's search box finds (subjects, descriptions,
replies, notes, requesters), in which order, with which passages marked, on SQLite and
PostgreSQL alike; and that nothing typed into it reaches the database as syntax."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import flask_migrate
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from helpdesk import create_app, incidents, notify
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import Incident
from helpdesk.reads import incident_search, queues
from helpdesk.reads.incident_search import (
    Search,
    Term,
    parse,
    to_fts5,
    to_tsquery,
    word_conditions,
)
from tests.factories import gen_incident, gen_team, gen_user


def found(viewer, q: str, sort: str = queues.DEFAULT_SORT, queue: str = "open") -> list[int]:
    """The ids of the open incidents the search box finds, in the page's order."""
    listing = queues.Listing(queue, viewer, queues.Filters(q=q), sort=sort, size=50)
    return [incident.id for incident in queues.load_page(listing).incidents]


@pytest.fixture
def desk(db_app):
    """An agent of the service desk and four incidents, each with its words somewhere else."""
    agent = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [agent], service_desk=True)
    requester = gen_user(name="Renée Müller", email="renee.mueller@corp.example")
    with notify.suppressed():
        made = {
            "plain": gen_incident(subject="Laptop slow", description="It takes ages to boot."),
            "noted": gen_incident(subject="Monitor flickers", description="Since Monday."),
            "replied": gen_incident(subject="Cannot print", description="Nothing comes out."),
            "people": gen_incident(requester, subject="Access request", description="Share."),
        }
        incidents.add_note(made["noted"], agent, "Vendor says the gpu firmware is faulty.")
        incidents.add_reply(made["replied"], agent, "Please power-cycle the Kyocera printer.")
    return agent, made


def test_a_word_only_in_an_internal_note_is_found(desk):
    agent, made = desk
    assert found(agent, "firmware") == [made["noted"].id]
    assert found(agent, "FIRMWARE GPU") == [made["noted"].id]


def test_a_word_in_a_public_reply_or_the_description_is_found(desk):
    agent, made = desk
    assert found(agent, "kyocera") == [made["replied"].id]
    assert found(agent, "ages") == [made["plain"].id]


def test_requester_name_and_address_are_found(desk):
    agent, made = desk
    assert found(agent, "renée") == [made["people"].id]
    assert found(agent, "renee.mueller@corp.example") == [made["people"].id]
    assert found(agent, "corp.example") == [made["people"].id]


def test_a_quoted_phrase_needs_its_words_together_in_order(desk):
    agent, made = desk
    assert found(agent, '"gpu firmware"') == [made["noted"].id]
    assert found(agent, '"firmware gpu"') == []
    assert found(agent, '"vendor firmware"') == []


def test_a_trailing_star_finds_words_by_their_start(desk):
    agent, made = desk
    assert found(agent, "firm*") == [made["noted"].id]
    assert found(agent, "firm") == []
    assert found(agent, "p*") == [made["replied"].id]  # print, please, power, printer


def test_a_minus_leaves_out_incidents_holding_the_word(desk):
    agent, made = desk
    assert set(found(agent, "the")) == {made["noted"].id, made["replied"].id}
    assert found(agent, "the -kyocera") == [made["noted"].id]
    assert set(found(agent, "-kyocera -firmware")) == {made["plain"].id, made["people"].id}


def test_an_edit_is_searchable_in_the_same_transaction(desk):
    """The index is written in the flush, not by a job after the commit: a search inside the
    editing transaction sees the edit, and a rollback takes it back."""
    agent, made = desk
    with transaction():
        made["plain"].subject = "Laptop overheats"
        db.session.flush()
        assert found(agent, "overheats") == [made["plain"].id]
        assert found(agent, "slow") == []
        db.session.rollback()
    assert found(agent, "overheats") == []
    assert found(agent, "slow") == [made["plain"].id]


def test_a_new_incident_and_its_note_are_searchable_before_commit(desk):
    agent, _ = desk
    with transaction():
        fresh = gen_incident(subject="Badge reader dead", description="At the door.")
        incidents.add_note(fresh, agent, "Ordered a zebracorn part.")
        assert found(agent, "zebracorn badge") == [fresh.id]
        db.session.rollback()
    assert found(agent, "zebracorn") == []


def test_each_new_reply_adds_its_words_and_keeps_the_earlier_ones(desk):
    """A reply is appended to the incident's indexed messages (not the whole conversation
    read again): the earlier note, the reply and the new note are all found."""
    agent, made = desk
    incidents.add_reply(made["noted"], agent, "Swapped the HDMI cable.")
    incidents.add_note(made["noted"], agent, "Ordered a DisplayPort adapter.")
    for word in ("firmware", "hdmi", "displayport"):
        assert found(agent, word) == [made["noted"].id]


def test_a_renamed_requester_is_found_by_the_new_name(desk):
    agent, made = desk
    requester = made["people"].requester
    requester.name = "Renée Quarrington"
    db.session.commit()
    assert found(agent, "quarrington") == [made["people"].id]
    assert found(agent, "müller") == []


def test_a_merge_brings_the_duplicates_words_to_the_target(desk):
    agent, made = desk
    incidents.merge(made["noted"], agent, made["plain"])
    assert found(agent, "firmware", queue="open") == [made["plain"].id]
    assert found(agent, "merged") == []  # the system lines are not indexed


def test_relevance_puts_the_subject_and_body_above_a_mention_in_a_note(desk):
    agent, _ = desk
    with notify.suppressed():
        about = gen_incident(subject="Scanner jams", description="The scanner jams on A3.")
        mentioned = gen_incident(subject="Docking station", description="Screen stays black.")
        incidents.add_note(mentioned, agent, "Not the scanner, I checked.")
    assert set(queues.sorts_for("open", "scanner")) >= {queues.RELEVANCE, queues.DEFAULT_SORT}
    assert found(agent, "scanner", sort=queues.RELEVANCE) == [about.id, mentioned.id]
    # Newest activity first is still on offer, and puts the note's incident on top.
    assert found(agent, "scanner") == [mentioned.id, about.id]


def test_relevance_is_offered_only_for_words(app):
    assert queues.RELEVANCE not in queues.sorts_for("open", "")
    assert queues.RELEVANCE not in queues.sorts_for("open", "INC-000123")
    assert queues.RELEVANCE not in queues.sorts_for("open", "-toner")
    assert next(iter(queues.sorts_for("mine", "toner"))) == queues.RELEVANCE


def test_relevance_pages_follow_on_without_gaps_or_repeats(desk):
    agent, _ = desk
    with notify.suppressed():
        made = [
            gen_incident(subject="Toner " * (1 + n % 4), description=f"Case {n}.")
            for n in range(11)
        ]
    first = queues.Listing("open", agent, queues.Filters(q="toner"), sort=queues.RELEVANCE, size=4)
    everything = [i.id for i in queues.load_page(replace(first, size=50)).incidents]
    seen, current = [], first
    while True:
        page = queues.load_page(current)
        seen += [incident.id for incident in page.incidents]
        if page.next_cursor is None:
            break
        current = replace(
            first, after=queues.Cursor.decode(page.next_cursor, queues.RELEVANCE_SORT)
        )
    assert seen == everything and sorted(seen) == sorted(i.id for i in made)
    previous = queues.Cursor.decode(page.prev_cursor, queues.RELEVANCE_SORT)
    back = queues.load_page(replace(first, before=previous))
    assert [i.id for i in back.incidents] == everything[4:8]


def test_snippets_mark_the_words_and_escape_the_incident_text(db_app):
    agent = gen_user("agent")
    with notify.suppressed():
        incident = gen_incident(
            subject="Odd page",
            description='The <script>alert("x")</script> popup says the quota is full & stuck.',
        )
    snippet = str(incident_search.snippets("quota", [incident.id])[incident.id])
    assert "<mark>quota</mark>" in snippet
    # Escaped on SQLite; PostgreSQL's headline leaves tags out altogether.
    assert "<script>" not in snippet and "&#34;x&#34;" in snippet
    assert "&amp;" in snippet
    assert found(agent, "quota") == [incident.id]


def test_the_queue_page_shows_marked_snippets_and_no_incident_html(app, client, auth):
    agent = gen_user("agent", name="Sam Desk")
    gen_team("Service Desk", [agent], service_desk=True)
    with notify.suppressed():
        incident = gen_incident(subject="Weird", description="Pasted <b>bold</b> lockout text.")
    auth.login(agent.email)
    html = client.get("/agent/queues/open?q=lockout").get_data(as_text=True)
    assert incident.reference in html
    assert "<mark>lockout</mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert "Relevance, best match first" in html
    # Words only past the 200 characters the box keeps: no relevance, and no error.
    response = client.get("/agent/queues/open?sort=relevance&q=" + "-" * 210 + "lockout")
    assert response.status_code == 200


HOSTILE = [
    '"',
    '"""',
    '"unterminated phrase',
    "(",
    ")(",
    "a AND b",
    "NEAR(a b)",
    "a OR",
    "NOT",
    "*",
    "**",
    "-",
    "--",
    "-*",
    ":",
    "col:word",
    "subject:printer",
    "a & b | !c",
    "'",
    "it's",
    "\\",
    "\\\\'\\",
    "a:*",
    "<->",
    "\x00",
    "日本語 テスト",
    "Ünïcödé ß",
    "😀 emoji",
    "x" * 5000,
    " ".join(["word"] * 400),
    "printer" + "*" * 50,
    "^caret $dollar",
    "{braces} [brackets]",
    "%_%",
    "+plus",
    "a-b-c",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_fails_and_finds_sanely(desk, q):
    agent, made = desk
    for sort in queues.sorts_for("open", q):
        result = found(agent, q, sort=sort)
        assert set(result) <= {incident.id for incident in made.values()}
    incident_search.snippets(q, [incident.id for incident in made.values()])


def test_long_words_are_searched_by_their_start(desk):
    agent, _ = desk
    word = "supercalifragilistic" * 5
    with notify.suppressed():
        incident = gen_incident(subject=f"Odd {word}", description="Long word.")
    assert found(agent, word) == [incident.id]


def test_the_parser_keeps_only_words_and_marks_them():
    assert parse('printer "paper jam"* -toner -"low ink" e-mail') == Search(
        (
            Term(("printer",)),
            Term(("paper", "jam"), prefix=True),
            Term(("toner",), excluded=True),
            Term(("low", "ink"), excluded=True),
            Term(("e", "mail")),
        )
    )
    assert parse('AND OR NOT NEAR ( ) : * " -') == Search(
        (Term(("AND",)), Term(("OR",)), Term(("NOT",)), Term(("NEAR",)))
    )
    search = parse("printer* -toner")
    assert to_fts5(search) == '("printer"*) NOT "toner"'
    assert to_tsquery(search) == "('printer':*) & !('toner')"
    assert to_fts5(parse("-toner")) is None and to_tsquery(parse("")) is None


@given(st.text(max_size=300))
def test_any_text_compiles_to_quoted_words_only(text):
    """Whatever is typed, the compiled strings hold only quoted runs of letters and digits
    and the engines' own operators: no user character can act as syntax."""
    search = parse(text)
    assert len(search.terms) <= incident_search.MAX_TERMS
    for term in search.terms:
        assert term.words and all(incident_search.WORD.fullmatch(w) for w in term.words)
    fts5 = to_fts5(search)
    if fts5 is not None:
        outside = incident_search.re.sub(r'"[^"]*"', "", fts5)
        assert set(outside) <= set("()* ANDOTR")
    tsquery = to_tsquery(search)
    if tsquery is not None:
        outside = incident_search.re.sub(r"'[^']*'", "", tsquery)
        assert set(outside) <= set("()&!<->:* ")


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """One SQLite app, shared by the property test's many examples."""
    from tests.conftest import make_app

    app = make_app(tmp_path_factory.mktemp("search") / "instance")
    with app.app_context():
        agent = gen_user("agent")
        gen_team("Service Desk", [agent], service_desk=True)
        with notify.suppressed():
            gen_incident(subject="Printer jam", description="Ünïcödé 日本語 text & more.")
        yield agent
        db.session.remove()


@given(st.text(max_size=200))
def test_any_text_searches_without_a_database_error(engines, text):
    for sort in queues.sorts_for("open", text):
        found(engines, text, sort=sort)
    incident_search.snippets(text, [incident.id for incident in db.session.query(Incident)])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unmigrated(request, tmp_path):
    """An app on a database with no tables yet, on SQLite and on a fresh PostgreSQL one."""
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")}
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_server").fresh_database("helpdesk_search")
        config["DATABASE_URL"] = url
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_migration_indexes_the_incidents_already_there(unmigrated):
    """0020 indexes what 0019's database holds: subject, note and requester are found."""
    flask_migrate.upgrade(revision="0019")
    when = datetime(2026, 12, 1, 9, 0)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, role, token_nonce, active, away, created_at)"
                " VALUES (1, 'pat@corp.example', 'Pat Quill', 'user', 'n', true, false, :when)"
            ),
            {"when": when},
        )
        connection.execute(
            text(
                "INSERT INTO incidents (id, subject, description, channel, requester_id,"
                " impact, urgency, priority, status, status_changed_at, created_at, updated_at,"
                " last_activity_at, last_public_activity_at) VALUES (7, 'VPN down', 'Since 9.',"
                " 'portal', 1, 'low', 'low', 4, 'new', :when, :when, :when, :when, :when)"
            ),
            {"when": when},
        )
        connection.execute(
            text(
                "INSERT INTO messages (id, incident_id, kind, channel, body, needs_review,"
                " created_at) VALUES (1, 7, 'note', 'agent', 'Gateway firmware.', false, :when)"
            ),
            {"when": when},
        )
    flask_migrate.upgrade()
    for q in ("vpn", "firmware", "quill", "pat@corp.example"):
        assert db.session.scalars(select(Incident.id).where(*word_conditions(q))).all() == [7]
    db.session.rollback()
    flask_migrate.downgrade(revision="0019")
    assert "incident_search" not in inspect(db.engine).get_table_names()
