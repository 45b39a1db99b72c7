"""authentication.py: whether trusted Authentication-Results headers vouch for a From address."""

from __future__ import annotations

import random

import pytest

from mail_gateway.authentication import (
    ANONYMOUS,
    MAX_HEADER_CHARS,
    NOT_CHECKED,
    Authentication,
    authenticate_sender,
    parse_header,
)

MX = "mx.example.org"

# Gmail, as received at a Google Workspace mailbox (folded as it arrives).
GMAIL = (
    "mx.google.com;\r\n"
    '       dkim=pass header.i=@example.com header.s=20230601 header.b="Ab/CdEf1";\r\n'
    "       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com"
    " dmarc=pass fromdomain=example.com);\r\n"
    "       spf=pass (google.com: domain of agent@example.com designates 209.85.220.41 as"
    " permitted sender) smtp.mailfrom=agent@example.com;\r\n"
    "       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=example.com"
)
# Microsoft 365 (Exchange Online): no authserv-id, no space after some semicolons.
M365 = (
    "spf=pass (sender IP is 40.107.22.55) smtp.mailfrom=contoso.com; dkim=pass"
    " (signature was verified) header.d=contoso.com;dmarc=pass action=none"
    " header.from=contoso.com;compauth=pass reason=100"
)
M365_SPOOFED = (
    "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=attacker.test; dkim=none"
    " (message not signed) header.d=none;dmarc=fail action=quarantine"
    " header.from=contoso.com;compauth=fail reason=000"
)
# Microsoft 365 sometimes puts a per-method server name between the results.
M365_WITH_NAMES = (
    "spf=none (sender IP is 198.51.100.4) smtp.mailfrom=mail.contoso.com;"
    " protection.outlook.com; dkim=pass (signature was verified)"
    " header.d=contoso.com;protection.outlook.com; dmarc=bestguesspass action=none"
    " header.from=contoso.com;"
)
# Postfix with OpenDMARC, policyd-spf and OpenDKIM: the milter that ran last is on top.
POSTFIX = [
    f"{MX}; dmarc=pass (p=reject dis=none) header.from=example.com",
    f"{MX}; spf=pass (sender SPF authorized) smtp.mailfrom=example.com"
    " (client-ip=198.51.100.7; helo=mail.example.com; envelope-from=agent@example.com;"
    " receiver=<UNKNOWN>)",
    f"{MX};\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com"
    " header.i=@example.com header.a=rsa-sha256 header.s=mail header.b=Xy1/Ab+c=",
]


def check(headers: list[str] | str, sender: str = "agent@example.com", trusted=(MX,)):
    """Authenticate a sender against these headers (one string: a single header)."""
    values = [headers] if isinstance(headers, str) else headers
    return authenticate_sender(values, sender, trusted)


# -- switched off -------------------------------------------------------------------------


@pytest.mark.parametrize("trusted", [(), [], None, "", " , "])
def test_no_trusted_servers_means_the_from_address_is_trusted(trusted) -> None:
    verdict = check([], trusted=trusted)
    assert verdict == Authentication(True, NOT_CHECKED)


# -- real servers -------------------------------------------------------------------------


def test_gmail_dmarc_pass() -> None:
    verdict = check(GMAIL, trusted=["mx.google.com"])
    assert verdict == Authentication(True, "dmarc=pass for example.com (mx.google.com).")


def test_gmail_folding_removed_by_the_parser_reads_the_same() -> None:
    unfolded = GMAIL.replace("\r\n", "")
    assert check(unfolded, trusted=["mx.google.com"]).authenticated


def test_gmail_dkim_by_header_i_when_there_is_no_dmarc_result() -> None:
    header = (
        "mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=abc;"
        " spf=softfail (google.com: transitioning) smtp.mailfrom=other.test"
    )
    verdict = check(header, trusted=["mx.google.com"])
    assert verdict == Authentication(True, "dkim=pass for example.com (mx.google.com).")


def test_microsoft_365_headers_count_when_unnamed_servers_are_trusted() -> None:
    verdict = check(M365, "agent@contoso.com", trusted=[ANONYMOUS])
    assert verdict == Authentication(True, "dmarc=pass for contoso.com (unnamed server).")


def test_microsoft_365_headers_do_not_count_for_a_named_server() -> None:
    verdict = check(M365, "agent@contoso.com")
    assert verdict == Authentication(
        False, "No Authentication-Results from a trusted server (mx.example.org)."
    )


def test_microsoft_365_spoof_fails_on_dmarc() -> None:
    verdict = check(M365_SPOOFED, "agent@contoso.com", trusted=[ANONYMOUS])
    assert verdict == Authentication(False, "dmarc=fail for contoso.com (unnamed server).")


def test_microsoft_365_per_method_server_names_are_skipped() -> None:
    verdict = check(M365_WITH_NAMES, "agent@contoso.com", trusted=[ANONYMOUS])
    assert verdict == Authentication(True, "dkim=pass for contoso.com (unnamed server).")


def test_postfix_opendmarc_on_top_vouches() -> None:
    verdict = check(POSTFIX)
    assert verdict == Authentication(True, f"dmarc=pass for example.com ({MX}).")


def test_only_the_topmost_header_of_a_server_is_read() -> None:
    # No DMARC record for the domain: OpenDMARC's "none" on top hides OpenDKIM's pass.
    headers = [f"{MX}; dmarc=none (p=none dis=none) header.from=example.com", *POSTFIX[1:]]
    verdict = check(headers)
    assert verdict == Authentication(
        False, f"Nothing from {MX} vouches for example.com: dmarc=none for example.com."
    )


def test_milters_with_their_own_ids_are_all_read() -> None:
    headers = [
        "dmarc.example.org; dmarc=none (p=none dis=none) header.from=example.com",
        POSTFIX[2].replace(MX, "dkim.example.org"),
    ]
    verdict = check(headers, trusted=["dmarc.example.org", "dkim.example.org"])
    assert verdict == Authentication(True, "dkim=pass for example.com (dkim.example.org).")


# -- forgery --------------------------------------------------------------------------------


def test_results_from_an_untrusted_server_do_not_count() -> None:
    forged = "evil.test; dmarc=pass header.from=example.com; dkim=pass header.d=example.com"
    verdict = check(forged)
    assert verdict == Authentication(
        False, "No Authentication-Results from a trusted server (mx.example.org)."
    )


def test_a_forged_header_under_the_servers_own_does_not_count() -> None:
    genuine = f"{MX}; spf=fail smtp.mailfrom=attacker.test; dkim=none"
    forged = f"{MX}; dmarc=pass header.from=example.com"
    verdict = check([genuine, forged])
    assert not verdict.authenticated
    assert verdict.reason == (
        f"Nothing from {MX} vouches for example.com: spf=fail for attacker.test, dkim=none."
    )


def test_a_forged_header_under_an_empty_verdict_does_not_count() -> None:
    verdict = check([f"{MX} 1; none", f"{MX}; dkim=pass header.d=example.com"])
    assert verdict == Authentication(
        False,
        f"The Authentication-Results from {MX} report no SPF, DKIM, DMARC or sign-in check.",
    )


def test_an_unreadable_header_on_top_still_hides_lower_ones() -> None:
    broken = f"{MX}; dkim=pass (unterminated header.d=example.com"
    verdict = check([broken, f"{MX}; dmarc=pass header.from=example.com"])
    assert verdict == Authentication(
        False, f"The Authentication-Results from {MX} could not be read."
    )


def test_untrusted_headers_above_the_trusted_one_are_skipped() -> None:
    headers = ["relay.test; dmarc=fail header.from=example.com", *POSTFIX]
    assert check(headers).authenticated


# -- the rules ----------------------------------------------------------------------------


def test_dmarc_fail_vetoes_even_an_aligned_dkim_pass() -> None:
    # A strict DMARC policy (adkim=s) fails a subdomain signature that relaxed rules allow.
    header = f"{MX}; dkim=pass header.d=mail.example.com; dmarc=fail header.from=example.com"
    verdict = check(header)
    assert verdict == Authentication(False, f"dmarc=fail for example.com ({MX}).")


def test_dmarc_fail_from_one_trusted_server_vetoes_another_servers_pass() -> None:
    headers = [
        "inner.example.org; dmarc=fail header.from=example.com",
        f"{MX}; dmarc=pass header.from=example.com",
    ]
    verdict = check(headers, trusted=[MX, "inner.example.org"])
    assert verdict == Authentication(False, "dmarc=fail for example.com (inner.example.org).")


def test_dkim_pass_for_another_domain_does_not_vouch() -> None:
    header = f"{MX}; dkim=pass header.d=mailer.test; spf=pass smtp.mailfrom=bounce@mailer.test"
    verdict = check(header)
    assert verdict == Authentication(
        False,
        f"Nothing from {MX} vouches for example.com: dkim=pass for mailer.test, "
        "spf=pass for mailer.test.",
    )


def test_dmarc_pass_for_another_domain_does_not_vouch() -> None:
    assert not check(f"{MX}; dmarc=pass header.from=other.test").authenticated


@pytest.mark.parametrize(
    ("result", "sender", "expected"),
    [
        ("dkim=pass header.d=example.com", "agent@example.com", True),
        ("dkim=pass header.d=mail.example.com", "agent@example.com", True),
        ("dkim=pass header.d=example.com", "agent@eu.example.com", True),
        ("dkim=pass header.i=agent@sub.example.com", "agent@example.com", True),
        ("dkim=pass header.d=notexample.com", "agent@example.com", False),
        ("dkim=pass header.d=com", "agent@example.com", False),
        ("dkim=pass header.d=example.com.evil.test", "agent@example.com", False),
        ("dkim=fail header.d=example.com", "agent@example.com", False),
        ("dkim=pass", "agent@example.com", False),
        ("spf=pass smtp.mailfrom=bounces+123@bounces.example.com", "agent@example.com", True),
        ("spf=pass smtp.mailfrom=example.com", "agent@example.com", True),
        ("spf=pass smtp.mailfrom=<>", "agent@example.com", False),
        ("spf=softfail smtp.mailfrom=example.com", "agent@example.com", False),
        ("spf=pass smtp.helo=example.com", "agent@example.com", False),
        ("dmarc=pass header.from=mail.example.com", "agent@example.com", False),
        ("auth=pass smtp.auth=agent@example.com", "agent@example.com", True),
        ("auth=pass smtp.auth=other@example.com", "agent@example.com", False),
    ],
)
def test_alignment(result: str, sender: str, expected: bool) -> None:
    assert check(f"{MX}; {result}", sender).authenticated is expected


def test_spf_pass_names_the_envelope_domain() -> None:
    verdict = check(f"{MX}; spf=pass smtp.mailfrom=bounces+123@bounces.example.com")
    assert verdict.reason == f"spf=pass for bounces.example.com ({MX})."


# Postfix with smtpd_sasl_authenticated_header-style results for mail sent through submission.
SUBMITTED = f"{MX}; auth=pass (PLAIN sasl_method) smtp.auth=agent@example.com"


def test_signed_in_submission_as_the_from_address_vouches() -> None:
    verdict = check(SUBMITTED)
    assert verdict == Authentication(True, f"auth=pass for agent@example.com ({MX}).")


def test_signed_in_submission_compares_the_address_without_case() -> None:
    assert check(SUBMITTED, sender="Agent@EXAMPLE.com").authenticated


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (  # signed in as someone else, then wrote another agent's From line
            f"{MX}; auth=pass smtp.auth=intern@example.com",
            f"Nothing from {MX} vouches for example.com: auth=pass for intern@example.com.",
        ),
        (  # a bare login name says nothing about the From line
            f"{MX}; auth=pass smtp.auth=agent",
            f"Nothing from {MX} vouches for example.com: auth=pass for agent.",
        ),
        (
            f"{MX}; auth=fail smtp.auth=agent@example.com",
            f"Nothing from {MX} vouches for example.com: auth=fail for agent@example.com.",
        ),
        (
            f"{MX}; auth=pass smtp.auth=agent@example.com; dmarc=fail header.from=example.com",
            f"dmarc=fail for example.com ({MX}).",
        ),
    ],
)
def test_sign_in_that_does_not_prove_the_from_address(header: str, reason: str) -> None:
    assert check(header) == Authentication(False, reason)


def test_sign_in_reported_by_an_untrusted_server_does_not_count() -> None:
    forged = "relay.attacker.test; auth=pass smtp.auth=agent@example.com"
    assert not check([forged, f"{MX}; spf=none"]).authenticated


def test_a_from_address_without_a_domain_is_not_authenticated() -> None:
    verdict = check(POSTFIX, sender="agent")
    assert verdict == Authentication(False, "The From address has no domain to authenticate.")


def test_international_domains_compare_in_ascii() -> None:
    header = f"{MX}; dmarc=pass header.from=xn--bcher-kva.example"
    assert check(header, "agent@bücher.example").authenticated


# -- reading headers ------------------------------------------------------------------------


def test_trusted_ids_and_keywords_ignore_case() -> None:
    header = "MX.Example.ORG; DKIM=Pass Header.D=Example.COM."
    verdict = check(header, "agent@EXAMPLE.com", trusted=["mx.EXAMPLE.org"])
    assert verdict == Authentication(True, f"dkim=pass for example.com ({MX}).")


def test_trusted_ids_may_be_one_comma_separated_string() -> None:
    assert check(POSTFIX, trusted="relay.test, mx.example.org").authenticated


@pytest.mark.parametrize(
    "header",
    [
        f"{MX} 1; dmarc=pass header.from=example.com",
        f'"{MX}"; dmarc=pass header.from=example.com',
        f"  (comment) {MX} (another; with = signs) ; dmarc = pass header.from = example.com ;",
        f"{MX}; dmarc=pass(p=NONE sp=NONE (nested) dis=NONE)header.from=example.com",
        f'{MX}; dmarc=pass reason="policy; ok" header.from="example.com"',
        f"{MX};\r\n dkim/1=pass header.d=example.com header.b=Ab+/c==",
        f'{MX}; spf=pass smtp.mailfrom="agent smith"@example.com',
        f"{MX};; dmarc=pass header.from=example.com;",
        f"{MX}; none; dmarc=pass header.from=example.com",
    ],
)
def test_syntax_variants_are_read(header: str) -> None:
    assert check(header).authenticated


@pytest.mark.parametrize(
    "header",
    [
        f"{MX}; dmarc=pass header.from=example.com (unterminated",
        f'{MX}; dmarc=pass header.from="example.com',
        f"{MX}; dmarc=pass header.from=example.com)",
        f"{MX} 2; dmarc=pass header.from=example.com",
        f"{MX} garbage; dmarc=pass header.from=example.com",
        f"{MX}; dmarc=pass header.from=example.com trailing",
        f"{MX}; dmarc=pass header.from=",
        f"{MX}; dmarc pass header.from=example.com",
        f"{MX}; =pass header.from=example.com",
        f"{MX}; dmarc=pass header.from=example.com" + " " * MAX_HEADER_CHARS,
    ],
)
def test_a_malformed_header_vouches_for_nothing(header: str) -> None:
    verdict = check(header)
    assert verdict == Authentication(
        False, f"The Authentication-Results from {MX} could not be read."
    )


@pytest.mark.parametrize("header", ["", "   ", "(just a comment)", ";dmarc=pass", '""; x=y'])
def test_a_header_naming_no_server_is_nobodys(header: str) -> None:
    assert parse_header(header) is None


def test_parse_header_reads_servers_methods_and_properties() -> None:
    header = parse_header(M365)
    assert header is not None
    assert header.authserv_id == ANONYMOUS
    assert [(r.method, r.result) for r in header.results] == [
        ("spf", "pass"),
        ("dkim", "pass"),
        ("dmarc", "pass"),
        ("compauth", "pass"),
    ]
    assert header.results[2].properties == {"action": "none", "header.from": "contoso.com"}


def test_reasons_show_header_values_without_control_characters() -> None:
    header = f"{MX}; dkim=pass header.d=evil\x07\x1b[31m.test" + "x" * 200
    verdict = check(header)
    assert not verdict.authenticated
    assert "\x1b" not in verdict.reason and "\x07" not in verdict.reason
    assert len(verdict.reason) < 200


# -- never raises -------------------------------------------------------------------------

ALPHABET = ' \t\r\n();="\\.@/;=,abcdmrkfspilnoe0123456789-_é\x00\udcff'
SAMPLES = [GMAIL, M365, M365_SPOOFED, M365_WITH_NAMES, *POSTFIX]


def mutated(rng: random.Random) -> str:
    """A real header with a few random cuts, insertions and swaps."""
    text = rng.choice(SAMPLES)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        junk = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
        text = text[:at] + junk + text[at + rng.randint(0, 8) :]
    return text


def noise(rng: random.Random) -> str:
    """Random text from the characters that matter to the syntax."""
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 300)))


def test_arbitrary_text_never_raises() -> None:
    rng = random.Random(8601)
    for _ in range(10_000):
        headers = [rng.choice((mutated, noise))(rng) for _ in range(rng.randint(0, 3))]
        trusted = rng.choice(([MX], [ANONYMOUS], [MX, "mx.google.com"], "mx.google.com"))
        verdict = check(headers, rng.choice(("agent@example.com", "", "@", "a@b@")), trusted)
        assert isinstance(verdict.authenticated, bool)
        assert verdict.reason.endswith(".")
        if verdict.authenticated:
            assert verdict.reason.startswith(("dmarc=pass", "dkim=pass", "spf=pass"))


def test_headers_added_below_the_servers_own_never_change_the_verdict() -> None:
    rng = random.Random(5)
    genuine = [f"{MX}; spf=fail smtp.mailfrom=attacker.test", POSTFIX[0], *POSTFIX]
    forgeries = [*SAMPLES, f"{MX}; dmarc=pass header.from=example.com"]
    for _ in range(500):
        top = rng.choice(genuine)
        below = [rng.choice((mutated(rng), rng.choice(forgeries))) for _ in range(3)]
        assert check([top, *below]) == check([top])


def test_a_huge_header_is_not_read() -> None:
    header = f"{MX}; dmarc=pass header.from=example.com; " + "x=y " * 1_000_000
    assert check(header).reason == f"The Authentication-Results from {MX} could not be read."
