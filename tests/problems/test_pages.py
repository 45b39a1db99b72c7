"""The console's problem pages: the list and the known-error list with its search, a new
problem, one problem's page and its changes, the incident page's panel, and who may see
them (agents only)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import problems
from helpdesk.extensions import db
from helpdesk.models import Change, Incident, Problem, User
from tests.factories import gen_incident, gen_service, gen_user
from tests.problems.conftest import known_error


@pytest.fixture
def signed_in(client: FlaskClient, auth, agent: User) -> FlaskClient:
    auth.login(agent.email)
    return client


def opened(agent: User, title: str, **fields: object) -> Problem:
    return problems.open_problem(agent, problems.ProblemFields(title=title, **fields))  # type: ignore[arg-type]


def test_the_known_error_list_searches_every_word_in_sql(
    signed_in: FlaskClient, agent: User
) -> None:
    vpn = known_error(
        opened(agent, "VPN drops hourly", root_cause="Concentrator LEAKS sessions"), agent
    )
    known_error(opened(agent, "Printer offline"), agent, "Power-cycle the printer.")
    opened(agent, "VPN slow", root_cause="Leaks sessions too")  # not a known error
    page = signed_in.get("/agent/problems?status=known_error&q=vpn+leaks").get_data(as_text=True)
    assert vpn.reference in page and "Printer offline" not in page and "VPN slow" not in page
    page = signed_in.get("/agent/problems?status=known_error&q=tcp").get_data(as_text=True)
    assert "VPN drops hourly" in page and "Printer offline" not in page  # the workaround
    page = signed_in.get("/agent/problems?status=known_error&q=vpn+toner").get_data(as_text=True)
    assert "No problems match these filters" in page
    page = signed_in.get("/agent/problems?q=100%25").get_data(as_text=True)
    assert "No problems match these filters" in page


def test_a_new_problem_from_the_form(signed_in: FlaskClient) -> None:
    vpn = gen_service("VPN")
    answer = signed_in.post(
        "/agent/problems/new",
        data={
            "problem-title": "VPN drops",
            "problem-priority": "2",
            "problem-services": [str(vpn.id)],
        },
    )
    problem = db.session.scalars(select(Problem)).one()
    assert answer.headers["Location"].endswith(f"/agent/problems/{problem.reference}")
    assert (problem.priority, [s.name for s in problem.services]) == (2, ["VPN"])
    page = signed_in.get(f"/agent/problems/{problem.reference.lower()}").get_data(as_text=True)
    assert "VPN drops" in page and "opened it" in page


def test_a_refused_new_problem_keeps_the_typing(signed_in: FlaskClient) -> None:
    answer = signed_in.post(
        "/agent/problems/new", data={"problem-title": " ", "problem-workaround": "Reboot it."}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "The title cannot be empty." in page and "Reboot it." in page


def test_edit_move_and_resolve_from_the_page(signed_in: FlaskClient, agent: User) -> None:
    problem = opened(agent, "VPN drops")
    incident = gen_incident(subject="VPN down")
    problems.link_incident(problem, agent, incident)
    url = f"/agent/problems/{problem.reference}"
    signed_in.post(
        url + "/edit",
        data={
            "problem-title": "VPN drops",
            "problem-priority": "3",
            "problem-workaround": "Use the TCP profile.",
        },
    )
    signed_in.post(url + "/status", data={"status-target": "investigating"})
    signed_in.post(url + "/status", data={"status-target": "known_error"})
    assert problem.status == "known_error" and problem.workaround == "Use the TCP profile."
    signed_in.post(url + "/resolve", data={"resolve-fix": "Firmware 9.1."})
    page = signed_in.get(url).get_data(as_text=True)
    assert "Resolve this open incident with the fix" in page
    signed_in.post(url + "/resolve-incidents", data={"incident": [str(incident.id)]})
    db.session.refresh(incident)
    assert (incident.status, incident.resolution_notes) == ("resolved", "Firmware 9.1.")
    page = signed_in.get(url).get_data(as_text=True)
    assert "moved it from Investigating to Known error" in page
    assert f">{incident.reference}</a> with the fix" in page


def test_a_refused_move_says_why(signed_in: FlaskClient, agent: User) -> None:
    problem = opened(agent, "VPN drops")
    signed_in.post(f"/agent/problems/{problem.reference}/status", data={"status-target": "closed"})
    page = signed_in.get(f"/agent/problems/{problem.reference}").get_data(as_text=True)
    assert "A problem that is new cannot become closed." in page
    assert problem.status == "new"


def test_linking_a_change_by_reference(signed_in: FlaskClient, agent: User) -> None:
    problem = opened(agent, "VPN drops")
    change = Change(title="Firmware 9.1", reference="CHG-000007")
    db.session.add(change)
    db.session.commit()
    url = f"/agent/problems/{problem.reference}"
    signed_in.post(url + "/change", data={"change-reference": "chg-7"})
    assert problem.change_id == change.id
    assert "/agent/changes/CHG-000007" in signed_in.get(url).get_data(as_text=True)
    signed_in.post(url + "/change", data={"change-reference": "CHG-999"})
    assert "There is no change CHG-999." in signed_in.get(url).get_data(as_text=True)


def test_the_incident_panel_links_and_opens(signed_in: FlaskClient, agent: User) -> None:
    problem = opened(agent, "VPN drops")
    incident = gen_incident(subject="Cannot reach the intranet")
    url = f"/agent/incidents/{incident.reference}"
    page = signed_in.get(url).get_data(as_text=True)
    assert "Link to problem" in page and "Open a problem from this incident" in page
    signed_in.post(url + "/problem", data={"problem-link-reference": "PRB-404"})
    assert "There is no problem PRB-404." in signed_in.get(url).get_data(as_text=True)
    signed_in.post(url + "/problem", data={"problem-link-reference": problem.reference.lower()})
    assert incident.problem_id == problem.id
    assert "linked it to the problem" in signed_in.get(url).get_data(as_text=True)
    signed_in.post(url + "/problem/unlink")
    answer = signed_in.post(url + "/problem/open", data={"problem-open-title": "Intranet outage"})
    created = db.session.scalars(select(Problem).where(Problem.title == "Intranet outage")).one()
    assert answer.headers["Location"].endswith(f"/agent/problems/{created.reference}")
    assert incident.problem_id == created.id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/agent/problems"),
        ("GET", "/agent/problems/new"),
        ("GET", "/agent/problems/{problem}"),
        ("POST", "/agent/problems/{problem}/edit"),
        ("POST", "/agent/problems/{problem}/status"),
        ("POST", "/agent/problems/{problem}/resolve"),
        ("POST", "/agent/problems/{problem}/resolve-incidents"),
        ("POST", "/agent/problems/{problem}/incidents"),
        ("POST", "/agent/problems/{problem}/change"),
        ("POST", "/agent/incidents/{incident}/problem"),
        ("POST", "/agent/incidents/{incident}/problem/unlink"),
        ("POST", "/agent/incidents/{incident}/problem/open"),
        ("POST", "/agent/incidents/{incident}/problem/hint"),
        ("POST", "/agent/incidents/{incident}/problem/workaround"),
    ],
)
def test_end_users_are_kept_out(
    client: FlaskClient, auth, agent: User, method: str, path: str
) -> None:
    user = gen_user("user")
    incident: Incident = gen_incident(user)
    problem = known_error(opened(agent, "VPN drops"), agent)
    problems.link_incident(problem, agent, incident)
    auth.login(user.email)
    url = path.format(problem=problem.reference, incident=incident.reference)
    assert client.open(url, method=method).status_code == 403
    assert db.session.scalar(select(db.func.count(Problem.id))) == 1
