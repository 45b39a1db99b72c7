"""Personal access tokens: made and shown once, stored only as a hash, accepted only while
they and their person are active, revoked by their owner or an admin, from the settings
page, the admin user page and the `helpdesk token` command."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.test import TestResponse

from helpdesk import accounts, api_tokens, cli
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, User
from helpdesk.models.api import ApiToken
from tests.conftest import AuthActions, ManualClock, make_app
from tests.factories import PASSWORD, gen_user


def stored(token: ApiToken) -> ApiToken:
    """The row as the database holds it now."""
    db.session.expire_all()
    row = db.session.get(ApiToken, token.id)
    assert row is not None
    return row


def test_a_token_is_returned_once_and_only_its_hash_is_kept(app: Flask) -> None:
    person = gen_user()
    row, token = api_tokens.create(person, person, "Nightly report", "read")
    assert token.startswith("hd_") and len(token) > 40
    row = stored(row)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:10]
    assert (row.name, row.scope, row.user_id) == ("Nightly report", "read", person.id)
    assert row.last_used_at is None and row.revoked_at is None
    kept = [str(value) for value in vars(row).values()]
    assert not any(token in value for value in kept)
    _, other = api_tokens.create(person, person, "", "write")
    assert other != token
    assert api_tokens.tokens_of(person)[0].name == "API token"  # the default name


@pytest.mark.parametrize(
    ("name", "scope", "message"),
    [
        ("x" * 81, "read", "at most 80 characters"),
        ("Script", "admin", "must be one of read, write, alerts"),
        ("Script", "", "must be one of read, write, alerts"),
    ],
)
def test_bad_names_and_scopes_are_refused_with_the_reason(
    app: Flask, name: str, scope: str, message: str
) -> None:
    person = gen_user()
    with pytest.raises(InvalidInput, match=message):
        api_tokens.create(person, person, name, scope)
    assert api_tokens.tokens_of(person) == []


def test_only_admins_create_tokens_for_someone_else(app: Flask) -> None:
    person, agent, admin = gen_user(), gen_user("agent"), gen_user("admin")
    with pytest.raises(NotAllowed):
        api_tokens.create(person, agent, "Not mine", "read")
    api_tokens.create(person, admin, "For the migration script", "write")
    assert [t.name for t in api_tokens.tokens_of(person)] == ["For the migration script"]


def test_a_deactivated_person_gets_no_new_token(app: Flask) -> None:
    person, admin = gen_user(), gen_user("admin")
    accounts.update_user(person.id, person.name, person.role, False, admin)
    with pytest.raises(InvalidInput, match="deactivated"):
        api_tokens.create(person, admin, "Script", "read")


def test_authenticate_accepts_the_exact_token_only(db_app: Flask, clock: ManualClock) -> None:
    person = gen_user()
    row, token = api_tokens.create(person, person, "Script", "write")
    found = api_tokens.authenticate(token, clock.now)
    assert found is not None and found.id == row.id and found.user.id == person.id
    for wrong in ("", token[:-1], token + "x", token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert api_tokens.authenticate(wrong, clock.now) is None
    assert api_tokens.authenticate(row.token_hash, clock.now) is None  # the hash is no token
    assert api_tokens.authenticate("hd_" + "x" * 5000, clock.now) is None


def test_a_revoked_token_or_a_deactivated_persons_token_is_refused(
    app: Flask, clock: ManualClock
) -> None:
    person, admin = gen_user(), gen_user("admin")
    _, kept_token = api_tokens.create(person, person, "Kept", "read")
    revoked, revoked_token = api_tokens.create(person, person, "Old", "read")
    api_tokens.revoke(revoked.id, person)
    assert api_tokens.authenticate(revoked_token, clock.now) is None
    assert api_tokens.authenticate(kept_token, clock.now) is not None
    accounts.update_user(person.id, person.name, person.role, False, admin)
    assert api_tokens.authenticate(kept_token, clock.now) is None
    accounts.update_user(person.id, person.name, person.role, True, admin)
    assert api_tokens.authenticate(kept_token, clock.now) is not None


def test_last_use_is_noted_at_most_once_a_minute(db_app: Flask, clock: ManualClock) -> None:
    person = gen_user()
    row, token = api_tokens.create(person, person, "Poller", "read")
    first = clock.now
    api_tokens.authenticate(token, clock.now)
    assert stored(row).last_used_at == first
    clock.advance(seconds=59)
    api_tokens.authenticate(token, clock.now)
    assert stored(row).last_used_at == first
    later = clock.advance(seconds=1)
    api_tokens.authenticate(token, clock.now)
    assert stored(row).last_used_at == later


def test_the_owner_or_an_admin_revokes_and_nobody_else(app: Flask, clock: ManualClock) -> None:
    person, stranger, agent, admin = gen_user(), gen_user(), gen_user("agent"), gen_user("admin")
    row, _ = api_tokens.create(person, person, "Script", "read")
    for outsider in (stranger, agent):
        with pytest.raises(NotAllowed):
            api_tokens.revoke(row.id, outsider)
        assert stored(row).revoked_at is None
    api_tokens.revoke(row.id, person)
    assert stored(row).revoked_at == clock.now
    clock.advance(minutes=5)
    api_tokens.revoke(row.id, admin)  # again: nothing changes
    assert stored(row).revoked_at == clock.now.replace(minute=0)
    other, _ = api_tokens.create(person, person, "Another", "read")
    api_tokens.revoke(other.id, admin)
    assert stored(other).revoked_at == clock.now
    with pytest.raises(NotFound):
        api_tokens.revoke(2**40, admin)


def test_the_audit_trail_names_the_token_but_never_holds_it(app: Flask) -> None:
    person, admin = gen_user(), gen_user("admin")
    row, token = api_tokens.create(person, person, "Deploy hook", "alerts")
    api_tokens.revoke(row.id, admin)
    api_tokens.revoke(row.id, admin)  # a second revocation is not audited again
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "user").order_by(AuditEvent.id)
    ).all()
    about = [e for e in events if e.subject_id == person.id]
    assert [(e.action, e.actor_id) for e in about] == [
        ("token_created", person.id),
        ("token_revoked", admin.id),
    ]
    for event in about:
        assert event.details["name"] == "Deploy hook"
        assert event.details["prefix"] == row.prefix
        assert event.details["scope"] == "alerts"
        assert token not in repr(event.details)
        assert row.token_hash not in repr(event.details)


def test_tokens_are_listed_newest_first_revoked_included(app: Flask, clock: ManualClock) -> None:
    person = gen_user()
    first, _ = api_tokens.create(person, person, "First", "read")
    clock.advance(hours=1)
    api_tokens.create(person, person, "Second", "write")
    api_tokens.revoke(first.id, person)
    listed = api_tokens.tokens_of(person)
    assert [(t.name, t.revoked_at is not None) for t in listed] == [
        ("Second", False),
        ("First", True),
    ]
    assert api_tokens.tokens_of(gen_user()) == []


# The pages.


def test_settings_page_creates_a_token_and_shows_it_once(
    client: FlaskClient, auth: AuthActions, clock: ManualClock
) -> None:
    person = gen_user()
    auth.login(person.email)
    page = client.get("/account").get_data(as_text=True)
    assert "API tokens" in page and "No tokens" in page
    response = client.post("/account/tokens", data={"name": "Laptop script", "scope": "write"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = response.get_data(as_text=True)
    token = re.search(r'value="(hd_[^"]+)"', shown).group(1)
    assert "shown only this once" in shown
    row = api_tokens.authenticate(token, clock.advance(minutes=5))
    assert row is not None and row.user_id == person.id and row.scope == "write"
    settings = client.get("/account").get_data(as_text=True)
    assert token not in settings
    assert "Laptop script" in settings and f"{row.prefix}…" in settings
    assert "write" in settings
    assert "5 minutes ago" in settings or "5m ago" in settings  # last used


def test_a_refused_token_keeps_what_was_typed(client: FlaskClient, auth: AuthActions) -> None:
    person = gen_user()
    auth.login(person.email)
    response = client.post("/account/tokens", data={"name": "Mine", "scope": "root"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "must be one of read, write, alerts" in page
    assert 'value="Mine"' in page
    assert api_tokens.tokens_of(person) == []


def test_settings_page_revokes_own_tokens_only(client: FlaskClient, auth: AuthActions) -> None:
    person, other = gen_user(), gen_user()
    mine, _ = api_tokens.create(person, person, "Mine", "read")
    theirs, _ = api_tokens.create(other, other, "Theirs", "read")
    auth.login(person.email)
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 403
    assert stored(theirs).revoked_at is None
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    response = client.post(f"/account/tokens/{mine.id}/revoke")
    assert response.status_code == 303
    assert stored(mine).revoked_at is not None
    page = client.get("/account").get_data(as_text=True)
    assert "is revoked" in page and "Revoked" in page


def test_admin_sees_and_revokes_someones_tokens(client: FlaskClient, auth: AuthActions) -> None:
    person, admin = gen_user(), gen_user("admin")
    row, _ = api_tokens.create(person, person, "CI pipeline", "write")
    stranger_row, _ = api_tokens.create(admin, admin, "Admin's own", "read")
    auth.login(admin.email)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "CI pipeline" in page and f"{row.prefix}…" in page and "Admin's own" not in page
    wrong_owner = f"/admin/users/{person.id}/tokens/{stranger_row.id}/revoke"
    assert client.post(wrong_owner).status_code == 404
    assert stored(stranger_row).revoked_at is None
    response = client.post(f"/admin/users/{person.id}/tokens/{row.id}/revoke")
    assert response.status_code == 302
    assert stored(row).revoked_at is not None
    assert "is revoked" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def csrf_app(tmp_path):
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


class Browser:
    """A client whose every request has an app context of its own, so that two people
    signed in at once do not share the fixture context's `g` (and its signed-in user)."""

    def __init__(self, app: Flask) -> None:
        self.app, self.client = app, app.test_client()

    def get(self, path: str) -> TestResponse:
        with self.app.app_context():
            return self.client.get(path)

    def post(self, path: str, data: dict[str, str] | None = None) -> TestResponse:
        with self.app.app_context():
            return self.client.post(path, data=data or {})

    def csrf(self, path: str) -> str:
        """The CSRF token the forms of a page carry."""
        page = self.get(path).get_data(as_text=True)
        found = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
        assert found is not None, path
        return found.group(1)


def signed_in(app: Flask, who: User) -> Browser:
    """A browser of its own, signed in through the real form."""
    browser = Browser(app)
    form = {"email": who.email, "password": PASSWORD, "csrf_token": browser.csrf("/login")}
    assert browser.post("/login", data=form).status_code == 302
    return browser


def test_token_forms_need_the_csrf_token(csrf_app: Flask) -> None:
    person, admin = gen_user(), gen_user("admin")
    row, _ = api_tokens.create(person, person, "Script", "read")
    own, admins = signed_in(csrf_app, person), signed_in(csrf_app, admin)
    for client, url in (
        (own, "/account/tokens"),
        (own, f"/account/tokens/{row.id}/revoke"),
        (admins, f"/admin/users/{person.id}/tokens/{row.id}/revoke"),
    ):
        assert client.post(url, data={"name": "Sneaky", "scope": "write"}).status_code == 400
    assert [t.name for t in api_tokens.tokens_of(person)] == ["Script"]
    assert stored(row).revoked_at is None
    # With the page's own CSRF token the forms work.
    data = {"name": "Real", "scope": "read", "csrf_token": own.csrf("/account")}
    created = own.post("/account/tokens", data=data)
    assert created.status_code == 200 and "hd_" in created.get_data(as_text=True)
    revoke = {"csrf_token": admins.csrf(f"/admin/users/{person.id}")}
    admins.post(f"/admin/users/{person.id}/tokens/{row.id}/revoke", data=revoke)
    assert stored(row).revoked_at is not None


# The command.


def invoke(runner: FlaskCliRunner, *args: str):
    return runner.invoke(cli.main, list(args))


def test_command_creates_lists_and_revokes(app: Flask, runner: FlaskCliRunner) -> None:
    person = gen_user(email="ops@example.org")
    made = invoke(runner, "token", "create", "--user", "OPS@example.org", "--scope", "alerts")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("hd_") and "\n" not in token
    assert "will not be shown again" in made.stderr and token not in made.stderr
    row = api_tokens.authenticate(token)
    assert row is not None and row.user_id == person.id
    assert (row.name, row.scope) == ("API token", "alerts")

    listed = invoke(runner, "token", "list", "--user", "ops@example.org")
    assert listed.exit_code == 0, listed.output
    assert row.prefix in listed.stdout and "alerts" in listed.stdout and "active" in listed.stdout
    assert token not in listed.output

    revoked = invoke(runner, "token", "revoke", str(row.id))
    assert revoked.exit_code == 0, revoked.output
    assert api_tokens.authenticate(token) is None
    assert "revoked" in invoke(runner, "token", "list", "--user", "ops@example.org").stdout
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "token_revoked")).one()
    assert event.actor_id is None and event.subject_id == person.id


def test_command_refuses_unknown_people_and_tokens(app: Flask, runner: FlaskCliRunner) -> None:
    for args in (
        ("token", "create", "--user", "nobody@example.org"),
        ("token", "list", "--user", "nobody@example.org"),
    ):
        result = invoke(runner, *args)
        assert result.exit_code == 1
        assert "No account has the address nobody@example.org" in result.output
        assert "Traceback" not in result.output
    assert db.session.scalars(select(ApiToken)).all() == []
    for missing in ("42", str(2**63)):
        result = invoke(runner, "token", "revoke", missing)
        assert result.exit_code == 1 and "Unknown token" in result.output
    person = gen_user()
    long_name = invoke(runner, "token", "create", "--user", person.email, "--name", "n" * 81)
    assert long_name.exit_code == 1 and "at most 80 characters" in long_name.output
    assert db.session.scalars(select(User).where(User.id == person.id)).one().active
