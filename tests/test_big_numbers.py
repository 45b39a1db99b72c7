"""Numbers past what the database holds never give a 500, signed in or not.

SQLite's driver raises OverflowError past 64 bits and PostgreSQL's INTEGER columns hold 32
bits, so the walk sends numbers just past each limit (and zero and negatives) through every
integer URL part, every form field that takes an integer and every integer query parameter,
as a visitor, an end user, an agent and an admin. Ids out of range are a 404; page numbers
past the end show the last page; out-of-range choices in forms are refused.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField
from wtforms.fields.core import UnboundField

import helpdesk.web
from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.kb import service
from helpdesk.kb.service import ArticleContent
from helpdesk.models import Category, Incident
from helpdesk.models.kb import PUBLISHED
from helpdesk.reads import queues
from tests.browsing import Browser
from tests.factories import PASSWORD, gen_category, gen_incident, gen_service, gen_team, gen_user

INT32_PAST = str(2**31)
INT64_MAX = str(2**63 - 1)
INT64_PAST = str(2**63)
HUGE = [INT32_PAST, INT64_MAX, INT64_PAST, "99999999999999999999", str(-(2**63) - 1)]
BAD_IDS = [*HUGE, "0", "-1"]
# Prefixes the agent console gives its action forms (several share one page).
FORM_PREFIXES = ("assign", "classify")
# Hidden fields that carry ids or revision numbers as text, and what may be typed into them:
# other scripts' digits, more digits than int() reads, more ten-digit ids than the column holds.
ID_TEXT_FIELDS = ("shown", "shown_articles", "base_revision")
ODD_NUMBERS = ["\u00b2", "\u0663", "7" * 5000, ",".join(str(2**31 - n) for n in range(1, 21))]
# Integer query parameters that are not fields of a filter form.
LOOSE_PARAMETERS = ("page", "days", "rating")
ROLES = ("visitor", "user", "agent", "admin")


def int_fields() -> set[str]:
    """Names of every form field in helpdesk.web that takes an integer, as posted."""
    names = set()
    for form in _form_classes():
        for name, field in vars(form).items():
            if isinstance(field, UnboundField) and _takes_integer(field):
                names |= {name, *(f"{prefix}-{name}" for prefix in FORM_PREFIXES)}
    return names


def _form_classes() -> Iterator[type[FlaskForm]]:
    """Every form class defined in a module of helpdesk.web."""
    prefix = f"{helpdesk.web.__name__}."
    for info in pkgutil.walk_packages(helpdesk.web.__path__, prefix):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm):
                yield value


def _takes_integer(field: UnboundField) -> bool:
    """Whether the field turns what is posted into a number."""
    if issubclass(field.field_class, IntegerField):
        return True
    chooses = issubclass(field.field_class, SelectField | RadioField)
    return chooses and field.kwargs.get("coerce", str) is not str


class World:
    """One of everything a URL can name, and a signed-in client per role."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.users = {role: gen_user(role) for role in ROLES[1:]}
        self.bystander = gen_user()
        self.team = gen_team(members=[self.users["agent"]])
        self.category = gen_category()
        gen_service()
        self.incident = gen_incident(self.users["user"])
        content = ArticleContent("Printer help", "Turn it off.", "", self.category.id, "", "public")
        self.article = service.create_article(self.users["agent"], content)
        service.set_status(self.article, self.users["admin"], PUBLISHED)
        self.ids = {
            "team_id": self.team.id,
            "user_id": self.bystander.id,
            "entry_id": self.category.id,
            "category_id": self.category.id,
            "article_id": self.article.id,
        }
        self.words = {
            "reference": self.incident.reference,
            "other": self.incident.reference,
            "incident_reference": self.incident.reference,
            "slug": self.article.slug,
            "kind": "categories",
            "name": "open",
            "token": "x",
            "filename": "f",
            "target": "cancelled",
        }

    def client(self, role: str) -> Browser:
        """A browser signed in through the login form (the visitor is not signed in)."""
        client = Browser(self.app)
        if role != "visitor":
            response = client.post(
                "/login", data={"email": self.users[role].email, "password": PASSWORD}
            )
            assert response.status_code == 302, role
        return client

    def path(self, rule: str, **values: str) -> str:
        """A concrete path for a URL rule: real ids and names unless `values` says otherwise."""

        def part(match: re.Match[str]) -> str:
            name = match.group(2)
            if name in values:
                return values[name]
            return str(self.ids.get(name, 1)) if match.group(1) == "int" else self.words[name]

        return re.sub(r"<(?:(\w+):)?(\w+)>", part, rule)

    def rules(self, method: str) -> list[tuple[str, str]]:
        """(rule, endpoint) of every route answering `method`, those that end a session or
        delete something last."""
        found = [
            (rule.rule, rule.endpoint)
            for rule in self.app.url_map.iter_rules()
            if method in (rule.methods or ()) and rule.endpoint not in ("static", "auth.logout")
        ]
        return sorted(found, key=lambda item: ("delete" in item[0], item))


# The method a path is tried with: the first any of its rules answers (an API path may have
# a GET rule and a PATCH rule; Werkzeug answers 405 when another rule's method would match).
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


@pytest.fixture
def world(db_app: Flask) -> World:
    return World(db_app)


def test_the_walk_finds_the_integer_fields():
    assert {"category", "service", "assign-team", "assign-agent", "user", "page"} <= int_fields()


def test_ids_out_of_range_in_a_url_are_not_found(world):
    answers: dict[str, set[str]] = {}  # one path may have a rule per method
    for rule in world.app.url_map.iter_rules():
        if "<int:" in rule.rule:
            answers.setdefault(rule.rule, set()).update(rule.methods or ())
    int_rules = [
        (rule, next(m for m in METHODS if m in methods)) for rule, methods in answers.items()
    ]
    assert len(int_rules) >= 15
    for role in ROLES:
        client = world.client(role)
        for rule, method in int_rules:
            for name in re.findall(r"<int:(\w+)>", rule):
                for value in BAD_IDS:
                    path = world.path(rule, **{name: value})
                    response = client.open(path, method=method)
                    assert response.status_code == 404, (role, method, path)


def test_a_largest_id_that_fits_is_simply_unknown(world):
    for role in ROLES:
        client = world.client(role)
        for rule, _ in world.rules("GET"):
            for name in re.findall(r"<int:(\w+)>", rule):
                path = world.path(rule, **{name: str(2**31 - 1)})
                # A browser's session is no API credential: the API asks for a token first
                # (tests/api/test_authorization.py reaches it with one).
                unknown = (401,) if path.startswith("/api/") else (302, 403, 404)
                assert client.get(path).status_code in unknown, (role, path)


def test_integer_query_parameters_out_of_range(world):
    fields = int_fields() | set(LOOSE_PARAMETERS)
    for role in ROLES:
        client = world.client(role)
        for rule, _ in world.rules("GET"):
            for value in BAD_IDS:
                query = {name: value for name in fields}
                for path, extra in _query_variants(world, rule, value):
                    response = client.get(path, query_string={**query, **extra})
                    assert response.status_code < 500, (role, path, value, extra)


def _query_variants(world: World, rule: str, value: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The paths to try for a rule: every queue with every sort and page cursor for the
    agent's queues, else the rule's one path."""
    if rule != "/agent/queues/<name>":
        yield world.path(rule), {}
        return
    for queue in queues.QUEUES:
        for sort, order in queues.sorts_for(queue).items():
            edge = "2024-01-01T00:00:00" if order.is_time else value
            for cursor in (f"{edge}_{value}", f"{value}_1"):
                path = world.path(rule, name=queue)
                yield path, {"sort": sort, "after": cursor, "before": cursor}


def test_pages_past_the_end_show_the_last_page(world):
    client = world.client("user")
    for value in [*HUGE, "0", "-1"]:
        response = client.get("/my/incidents", query_string={"page": value})
        assert response.status_code == 200, value
        assert world.words["reference"] in response.get_data(as_text=True), value
    reader = world.client("visitor")
    for value in HUGE:
        response = reader.get(f"/kb/categories/{world.category.id}", query_string={"page": value})
        assert response.status_code == 200, value
        assert "Printer help" in response.get_data(as_text=True), value


def test_integer_form_fields_out_of_range(world):
    fields = int_fields()
    for role in ROLES:
        client = world.client(role)
        for rule, _ in world.rules("POST"):
            for value in HUGE + ODD_NUMBERS:
                data = {name: value for name in (*fields, *ID_TEXT_FIELDS)}
                response = client.post(world.path(rule), data=data)
                assert response.status_code < 500, (role, rule, value)


def test_a_huge_category_in_the_report_form_is_refused(world):
    client = world.client("user")
    for value in HUGE:
        response = client.post(
            "/my/incidents/new",
            data={"subject": "Huge", "description": "A big number", "category": value},
        )
        assert response.status_code == 422, value
    assert db.session.query(Incident).count() == 1


def test_odd_numbers_among_the_articles_shown_are_dropped(world):
    client = world.client("user")
    for value in ODD_NUMBERS:
        data = {"subject": "Odd", "description": "Odd numbers", "shown_articles": value}
        response = client.post("/my/incidents/new", data=data)
        assert response.status_code == 302, value
    assert db.session.query(Incident).count() == 1 + len(ODD_NUMBERS)
    editor = world.client("admin")
    for number, value in enumerate(ODD_NUMBERS):
        data = {"title": "Printer help", "body": f"Unplug it {number}.", "base_revision": value}
        response = editor.post(f"/kb/manage/{world.article.slug}/edit", data=data)
        assert response.status_code == 302, value


def test_the_service_treats_an_out_of_range_id_as_unknown(world):
    for value in (2**31, 2**63, 10**20, -(2**63) - 1):
        report = incidents.IncidentReport("Huge", "A big number", category_id=value)
        with pytest.raises(incidents.NotFound, match="Unknown category"):
            incidents.open_incident(world.users["user"], report)
        db.session.rollback()
    assert db.session.get(Category, world.category.id) is not None
