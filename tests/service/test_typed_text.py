"""Typed text on SQLite and PostgreSQL: pasted text can carry NUL and other invisible control
characters, which PostgreSQL refuses outright; the service layer drops them everywhere
people type, so a paste never turns into an error page on one database only."""

from sqlalchemy import select

from helpdesk import accounts, directory
from helpdesk.extensions import db
from helpdesk.kb import service as kb_service
from helpdesk.models import SearchLog
from tests.factories import gen_user


def test_names_lose_control_characters(app):
    admin = gen_user("admin")
    person = accounts.create_user("ada@example.org", "Ada\x00 Love\x1blace\x07")
    assert person.name == "Ada Lovelace"
    accounts.update_user(person.id, "Ada\x00 King", "user", True, admin)
    assert db.session.get(type(person), person.id).name == "Ada King"


def test_team_names_and_descriptions_lose_control_characters(app):
    admin = gen_user("admin")
    team = directory.create_team(admin, "Net\x00work", "Routers\x00 and\tswitches\x7f")
    assert (team.name, team.description) == ("Network", "Routers and\tswitches")


def test_a_search_with_a_nul_is_logged_without_it(app):
    kb_service.record_search("printer\x00 jam", "user", 0)
    assert db.session.scalars(select(SearchLog.query)).all() == ["printer jam"]


def test_article_tags_lose_control_characters(app):
    assert kb_service.normalise_tags("VPN\x00, #Wi\x1bFi ,vpn") == "vpn,wifi"
