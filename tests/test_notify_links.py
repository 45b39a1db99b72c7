"""Tokens of the one-click links: what they name, and every way a link stops being trusted."""

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from helpdesk import incidents
from helpdesk.incidents import InvalidInput
from helpdesk.notify import links
from tests.factories import gen_incident, gen_user


@pytest.fixture
def resolved(app):
    """A resolved incident, its requester and the agent who resolved it."""
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.resolve(incident, agent, "fixed", "Done.")
    return requester, agent, incident


def test_a_link_names_its_incident_person_and_resolution(resolved):
    requester, _, incident = resolved
    url = links.url_for_link(links.CONFIRM, incident, requester)
    prefix = f"http://helpdesk.test/m/{incident.reference}/confirm/"
    assert url.startswith(prefix)
    link = links.open_link(links.CONFIRM, incident.reference, url.removeprefix(prefix))
    assert (link.incident, link.user, link.current) == (incident, requester, True)


@pytest.mark.parametrize("other", [links.REJECT, links.RATE])
def test_a_token_works_only_for_its_own_action(resolved, other):
    requester, _, incident = resolved
    token = links.token_for(links.CONFIRM, incident, requester)
    with pytest.raises(InvalidInput, match="not valid"):
        links.open_link(other, incident.reference, token)


def test_a_tampered_token_is_refused(resolved):
    requester, _, incident = resolved
    token = links.token_for(links.CONFIRM, incident, requester)
    with pytest.raises(InvalidInput, match="not valid"):
        links.open_link(links.CONFIRM, incident.reference, token[:-2] + "xx")


def test_a_token_signed_with_another_secret_is_refused(app, resolved):
    requester, _, incident = resolved
    foreign = URLSafeTimedSerializer("other secret", salt="helpdesk.mail-link.confirm")
    token = foreign.dumps({"i": incident.id, "u": requester.id})
    with pytest.raises(InvalidInput, match="not valid"):
        links.open_link(links.CONFIRM, incident.reference, token)


def test_an_expired_token_is_refused(app, resolved, monkeypatch):
    requester, _, incident = resolved
    long_ago = int(time.time()) - (app.config["MAIL_LINK_MAX_AGE_DAYS"] + 1) * 86_400
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
        token = links.token_for(links.RATE, incident, requester)
    with pytest.raises(InvalidInput, match="expired"):
        links.open_link(links.RATE, incident.reference, token)


def test_a_token_for_one_incident_cannot_act_on_another(resolved):
    requester, _, incident = resolved
    other = gen_incident(requester)
    token = links.token_for(links.CONFIRM, incident, requester)
    with pytest.raises(InvalidInput, match="does not belong"):
        links.open_link(links.CONFIRM, other.reference, token)


def test_a_token_of_a_deactivated_account_is_refused(resolved):
    requester, _, incident = resolved
    token = links.token_for(links.CONFIRM, incident, requester)
    requester.active = False
    with pytest.raises(InvalidInput, match="no longer active"):
        links.open_link(links.CONFIRM, incident.reference, token)


def test_buttons_of_an_earlier_resolution_no_longer_apply(resolved):
    requester, agent, incident = resolved
    token = links.token_for(links.CONFIRM, incident, requester)
    incidents.reject_resolution(incident, requester, "Still jammed.")
    assert not links.open_link(links.CONFIRM, incident.reference, token).current
    incidents.resolve(incident, agent, "fixed", "Really done.")
    assert not links.open_link(links.CONFIRM, incident.reference, token).current
    fresh = links.token_for(links.CONFIRM, incident, requester)
    assert links.open_link(links.CONFIRM, incident.reference, fresh).current


def test_rating_applies_once_resolved_or_closed_and_not_after_a_merge(resolved):
    requester, agent, incident = resolved
    token = links.token_for(links.RATE, incident, requester)
    assert links.open_link(links.RATE, incident.reference, token).current
    incidents.confirm_resolution(incident, requester)
    assert links.open_link(links.RATE, incident.reference, token).current
    open_one = gen_incident(requester)
    later = links.token_for(links.RATE, open_one, requester)
    assert not links.open_link(links.RATE, open_one.reference, later).current
    incidents.merge(open_one, agent, gen_incident(requester))
    assert not links.open_link(links.RATE, open_one.reference, later).current
