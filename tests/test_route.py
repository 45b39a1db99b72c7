"""Threading decisions: subject tokens, signed and known Message-IDs, sender standing."""

from datetime import datetime, timedelta

import pytest

from helpdesk.notify.message_ids import signed_message_id, verify
from mail_gateway import route

INCIDENTS = {"INC-000123": 123, "INC-000007": 7}
KNOWN = {"<sent-by-us@helpdesk.localhost>": 40, "<received@example.org>": 41}


def signed_lookup(message_id: str) -> int | None:
    """What ingest does with our signed ids: verify, and accept only genuine ones."""
    signed = verify(message_id)
    return signed.incident_id if signed else None


def lookups(signed=lambda _id: None) -> route.Lookups:
    """Lookups over a few pretend incidents and ids."""
    return route.Lookups(INCIDENTS.get, signed, KNOWN.get)


def decide(subject: str, in_reply_to=(), references=(), signed=lambda _id: None) -> route.Route:
    """Route a mail with these headers."""
    ids = route.header_ids(list(in_reply_to), list(references))
    return route.decide_route(subject, ids, "INC", lookups(signed))


@pytest.mark.parametrize(
    "subject",
    [
        "[INC-000123] Printer jam",
        "Re: [INC-000123] Printer jam",
        "RE: Fwd: AW: SV: Antw: WG: FW: [INC-000123] Printer jam",
        "Re[2]: [inc-000123] printer jam",
        "Re: Printer jam [ inc - 000123 ]",
        "Printer jam [INC - 123]",
        "re:re:RE:   [Inc-0000123]",
    ],
)
def test_subject_token_routes_to_the_incident(subject):
    assert decide(subject) == route.Route(123, route.BY_TOKEN)


@pytest.mark.parametrize(
    "subject",
    ["INC-000123 Printer jam", "Re: (INC-000123)", "Re: [XYZ-000123]", "[INC 000123]", ""],
)
def test_unbracketed_or_foreign_tokens_do_not_count(subject):
    assert decide(subject) == route.Route(None, route.NEW)


def test_configured_prefix_is_used():
    ids = route.header_ids([], [])
    found = route.decide_route(
        "Re: [ hd - 42 ]",
        ids,
        "HD",
        route.Lookups({"HD-000042": 42}.get, lambda _: None, lambda _: None),
    )
    assert found == route.Route(42, route.BY_TOKEN)


def test_first_existing_token_wins():
    assert decide("[INC-000999] and [INC-000007]") == route.Route(7, route.BY_TOKEN)


def test_token_of_a_missing_incident_falls_through_to_the_headers():
    found = decide("Re: [INC-000999] Printer jam", in_reply_to=["<received@example.org>"])
    assert found == route.Route(41, route.BY_KNOWN_ID)


def test_token_of_a_missing_incident_alone_means_new():
    assert decide("Re: [INC-000999] Printer jam") == route.Route(None, route.NEW)


def test_token_beats_headers():
    found = decide("[INC-000007] x", in_reply_to=["<sent-by-us@helpdesk.localhost>"])
    assert found == route.Route(7, route.BY_TOKEN)


def test_signed_message_id_routes_even_when_the_subject_was_rewritten(app):
    genuine = signed_message_id(55, 3)
    found = decide("totally new subject", in_reply_to=[genuine], signed=signed_lookup)
    assert found == route.Route(55, route.BY_SIGNED_ID)


def test_forged_signed_id_is_not_trusted(app):
    forged = signed_message_id(55, 3).replace("<hd.55.", "<hd.56.")
    found = decide("totally new subject", in_reply_to=[forged], signed=signed_lookup)
    assert found == route.Route(None, route.NEW)


def test_references_only_thread_to_a_known_id():
    found = decide("Printer", references=["<unknown@x>", "<sent-by-us@helpdesk.localhost>"])
    assert found == route.Route(40, route.BY_KNOWN_ID)


def test_in_reply_to_is_tried_before_references():
    found = decide(
        "x", in_reply_to=["<received@example.org>"], references=["<sent-by-us@helpdesk.localhost>"]
    )
    assert found.incident_id == 41


def test_newest_reference_is_tried_first():
    found = decide("x", references=["<sent-by-us@helpdesk.localhost>", "<received@example.org>"])
    assert found.incident_id == 41


def test_unknown_ids_open_a_new_incident():
    found = decide("Printer", in_reply_to=["<a@b>"], references=["<c@d>", "<e@f>"])
    assert found == route.Route(None, route.NEW)


def test_header_ids_are_deduplicated_and_blank_ones_dropped():
    assert route.header_ids(["<a@b>"], ["<c@d>", " ", "<a@b>"]) == ["<a@b>", "<c@d>"]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: RE: Fwd: AW: SV: Antw: WG: Printer jam", "Printer jam"),
        ("  re : Printer jam ", "Printer jam"),
        ("Re[3]: Printer jam", "Printer jam"),
        ("Regarding the printer", "Regarding the printer"),
        ("Printer: jammed", "Printer: jammed"),
    ],
)
def test_normalise_subject_strips_the_prefix_chain(subject, expected):
    assert route.normalise_subject(subject) == expected


def test_new_subject_is_never_empty_and_fits_the_column():
    assert route.new_subject("Re: ") == route.NO_SUBJECT
    assert len(route.new_subject("x" * 1000)) == route.SUBJECT_MAX
    assert route.new_subject("Fwd: a\x00b") == "ab"


def test_follow_up_subject_drops_tokens_or_falls_back():
    assert route.follow_up_subject("Re: [INC-000123] Printer jam", "INC", "old") == "Printer jam"
    assert route.follow_up_subject("Re: [INC-000123]", "INC", "Old subject") == "Old subject"


def test_follow_merges_walks_the_chain_and_survives_cycles():
    assert route.follow_merges(1, {1: 2, 2: 3}.get) == 3
    assert route.follow_merges(1, {1: 2, 2: 1}.get) == 2
    assert route.follow_merges(5, {}.get) == 5


@pytest.mark.parametrize(
    ("sender", "is_agent", "standing"),
    [
        ("Ada@Example.org", False, route.REQUESTER),
        ("bob@example.org", False, route.PARTICIPANT),
        ("agent@example.org", True, route.AGENT),
        ("eve@example.org", False, route.STRANGER),
        ("", False, route.STRANGER),
    ],
)
def test_sender_standing(sender, is_agent, standing):
    found = route.sender_standing(sender, "ada@example.org", ["BOB@example.org"], is_agent)
    assert found == standing
    assert route.is_trusted(found) is (standing != route.STRANGER)


NOW = datetime(2024, 5, 1, 12, 0)


@pytest.mark.parametrize(
    ("standing", "status", "resolved_days_ago", "expected"),
    [
        (route.REQUESTER, "in_progress", None, route.AS_REPLY),
        (route.REQUESTER, "resolved", 3, route.AS_REPLY),  # reopens, inside the window
        (route.REQUESTER, "resolved", 30, route.AS_FOLLOW_UP),
        (route.PARTICIPANT, "closed", 1, route.AS_FOLLOW_UP),
        (route.REQUESTER, "cancelled", None, route.AS_FOLLOW_UP),
        (route.AGENT, "resolved", 30, route.AS_REPLY),
        (route.AGENT, "closed", 1, route.AS_NOTE),
    ],
)
def test_disposition(standing, status, resolved_days_ago, expected):
    resolved_at = NOW - timedelta(days=resolved_days_ago) if resolved_days_ago else None
    assert route.disposition(standing, status, resolved_at, NOW, 14) == expected
