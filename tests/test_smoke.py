"""The app starts and sends each role to its start page."""

from tests.factories import gen_user


def test_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_agent_lands_on_queue(client, auth):
    agent = gen_user("agent")
    auth.login(agent.email)
    assert "/agent/queues/mine" in client.get("/").headers["Location"]
