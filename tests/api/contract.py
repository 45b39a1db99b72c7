"""schemathesis over the API's whole document, shared by the test suite
(tests/api/test_contract.py, a few examples per operation) and bench/api_fuzz.py (many).

Every generated request is sent with a token of each role and once without a token; the
answers must never be a 5xx and must match their documented status, media type and body.
A path's `{reference}` is aimed at a real incident (the requester's own), so the
operations are exercised past "no such incident"; the 404s are tested by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from helpdesk import api_tokens
from helpdesk.problems import ProblemFields, open_problem
from tests.changes.helpers import gen_change
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user
from tests.reviews.helpers import first_review_id, gen_review

ROLES = ("user", "agent", "admin")
# Any URL with an unprintable character is refused with 400 before it reaches the API
# (helpdesk.web.safety), which a string parameter's schema cannot say: such a request is
# "schema-valid data rejected". The 400 itself is documented and checked like any answer.
LENIENT = [positive_data_acceptance]
# The operations on one incident, whose `{reference}` is aimed at the seeded incident.
INCIDENT_PATHS = "/api/v1/incidents/{reference}"
# The operations on one review, whose `{review_id}` is aimed at the seeded review.
REVIEW_PATHS = "/api/v1/reviews/{review_id}"
# The operations on one change, whose `{reference}` is aimed at the seeded change.
CHANGE_PATHS = "/api/v1/changes/{reference}"
# The operations on one problem, whose `{reference}` is aimed at the seeded problem.
PROBLEM_PATHS = "/api/v1/problems/{reference}"


@dataclass(frozen=True)
class Seeded:
    """A write token per role, the reference of the end user's incident, and a problem's."""

    headers: dict[str, dict[str, str]]
    reference: str
    problem: str = ""
    change: str = ""


def seed() -> Seeded:
    """People of each role with a write token, and a little data for the reads to find."""
    people = {role: gen_user(role) for role in ROLES}
    gen_category("Printing"), gen_team("Network")
    vpn = gen_service("VPN")
    incident = gen_incident(people["user"], subject="Printer jams")
    gen_review(incident, with_action=True)
    headers = {}
    for role, person in people.items():
        _, token = api_tokens.create_from_command_line(person, "contract", "write")
        headers[role] = {"Authorization": f"Bearer {token}"}
    fields = ProblemFields(title="VPN drops", workaround="Use the TCP profile.")
    problem = open_problem(people["agent"], fields, [incident])
    change = gen_change(people["agent"], vpn)
    return Seeded(
        headers, incident.reference or "", problem.reference or "", change=change.reference or ""
    )


def operations(app: Flask) -> list[schemathesis.APIOperation]:
    """Every operation of the app's document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def check(operation: schemathesis.APIOperation, seeded: Seeded, examples: int) -> int:
    """Send `examples` generated requests to the operation as each role and without a
    token; raise on the first broken contract; return how many requests were sent."""
    sent = 0

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    def keeps_its_contract(case: Case) -> None:
        nonlocal sent
        # Hypothesis seeds the global random module alike for every example; Whoosh names
        # each new index segment from it, so the knowledge base's index would be handed a
        # segment name it already has. Outside a test nothing reseeds it.
        random.seed()
        if operation.path.startswith(INCIDENT_PATHS) and case.path_parameters:
            case.path_parameters["reference"] = seeded.reference
        if operation.path.startswith(REVIEW_PATHS) and case.path_parameters:
            case.path_parameters["review_id"] = first_review_id()
        if operation.path.startswith(PROBLEM_PATHS) and case.path_parameters:
            case.path_parameters["reference"] = seeded.problem
        if operation.path.startswith(CHANGE_PATHS) and case.path_parameters:
            case.path_parameters["reference"] = seeded.change
        for headers in (*seeded.headers.values(), {}):
            case.call_and_validate(headers=headers, excluded_checks=LENIENT)
            sent += 1

    keeps_its_contract()
    return sent
