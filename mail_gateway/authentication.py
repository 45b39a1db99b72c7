"""Whether a mail's From address is vouched for by our own mail server (RFC 8601).

An agent's mail becomes a public reply that is mailed to the requester, so the From
address alone must not be enough. The receiving server (Postfix with OpenDKIM/OpenDMARC,
Microsoft 365, Google) records its SPF, DKIM and DMARC checks in Authentication-Results
headers named by its authserv-id; `authenticate_sender` reads them. Pure functions of
plain data that never raise: a header that cannot be read simply vouches for nothing.

Trust rules:
- Only headers whose authserv-id is configured count; anyone can write the others.
- Of each trusted server only the topmost header counts. Every hop adds its headers above
  the ones already there, so a header lower down with the same id may have come with the
  mail itself (RFC 8601 section 5). A server that writes several headers (OpenDKIM and
  OpenDMARC each writing their own) is judged by its topmost one; give each its own
  AuthservID and trust both to have all of them read.
- A dmarc=fail is a veto. Otherwise the mail passes on dmarc=pass for the From domain, or
  dkim=pass (header.d, else header.i) or spf=pass (smtp.mailfrom) aligned with it:
  relaxed alignment, the same domain or one a subdomain of the other.
- Or on auth=pass whose smtp.auth is the From address itself: the agent signed in to the
  trusted server to send it (SMTP submission, as Postfix and Exchange record it). A login
  name that is not the address proves nothing about the From line and does not count.
- Microsoft 365 writes its results without an authserv-id; such headers count only when
  ANONYMOUS is among the trusted ids.

The headers are read here rather than with `authres` (the PyPI parser), which refuses
Microsoft 365's headers outright ("spf=pass (sender IP is ...) smtp.mailfrom=...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# The trusted id that stands for headers naming no server, as Microsoft 365 writes them.
ANONYMOUS = "(anonymous)"
# Longer values are not read (a real header is well under 2,000 characters).
MAX_HEADER_CHARS = 16_384
NOT_CHECKED = "Sender authentication is not checked (MAIL_TRUSTED_AUTHSERV_IDS is empty)."

_WORD = "word"
_EQUALS = "="
_SPECIAL = frozenset('();="')
_VALUE_STOPS = _SPECIAL - {"="}
_MAX_SHOWN = 80
_MAX_SUMMARY = 8

Token = tuple[str, str]  # (_WORD, text) or (_EQUALS, "=")


@dataclass(frozen=True)
class Authentication:
    """Whether a From address is authenticated, and a sentence saying why for the audit."""

    authenticated: bool
    reason: str


@dataclass(frozen=True)
class Result:
    """One check in a header: method=result and its properties (names lower-cased)."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultsHeader:
    """One Authentication-Results header: the server that wrote it and its checks.

    An unreadable header (broken syntax) carries no results but still names its server.
    """

    authserv_id: str  # lower-cased; ANONYMOUS when the header names no server
    results: tuple[Result, ...]
    readable: bool = True


def authenticate_sender(
    results_headers: Sequence[str],
    from_address: str,
    trusted_authserv_ids: Iterable[str] | str | None,
) -> Authentication:
    """Decide whether trusted Authentication-Results headers vouch for the From address.

    `results_headers` are the decoded header values, topmost first. No trusted ids means
    the check is off and the From address is trusted, as without this module.
    """
    trusted = trusted_ids(trusted_authserv_ids)
    if not trusted:
        return Authentication(True, NOT_CHECKED)
    domain = _domain(from_address) if "@" in from_address else ""
    if not domain:
        return Authentication(False, "The From address has no domain to authenticate.")
    headers = topmost_trusted(results_headers, trusted)
    if not headers:
        servers = ", ".join(_name(server) for server in sorted(trusted))
        return Authentication(
            False, f"No Authentication-Results from a trusted server ({servers})."
        )
    return _judge(headers, from_address, domain)


def trusted_ids(configured: Iterable[str] | str | None) -> frozenset[str]:
    """Normalise the configured ids; one string may list several, separated by commas."""
    if not configured:
        return frozenset()
    items = re.split(r"[\s,]+", configured) if isinstance(configured, str) else configured
    return frozenset(str(item).strip().lower() for item in items if str(item).strip())


def topmost_trusted(values: Sequence[str], trusted: frozenset[str]) -> list[ResultsHeader]:
    """The topmost header of each trusted server, topmost first; lower ones may be forged."""
    chosen: dict[str, ResultsHeader] = {}
    for value in values:
        header = parse_header(value)
        if header is not None and header.authserv_id in trusted:
            chosen.setdefault(header.authserv_id, header)
    return list(chosen.values())


def parse_header(value: str) -> ResultsHeader | None:
    """Read one header value; None when not even the server that wrote it can be told."""
    text = str(value)
    segments, broken = _lex(text[:MAX_HEADER_CHARS])
    broken = broken or len(text) > MAX_HEADER_CHARS
    first = segments[0]
    if any(kind == _EQUALS for kind, _ in first):
        server, rest = ANONYMOUS, segments  # results right away: Microsoft 365
    else:
        words = [word for _, word in first]
        if not words or not words[0]:
            return None
        server, rest = words[0].lower(), segments[1:]
        broken = broken or words[1:] not in ([], ["1"])
    results = []
    for segment in rest:
        if len(segment) < 2 and all(kind == _WORD for kind, _ in segment):
            continue  # empty, "none", or the per-method server name Microsoft 365 adds
        result = _result(segment)
        broken = broken or result is None
        if result is not None:
            results.append(result)
    if broken:
        return ResultsHeader(server, (), readable=False)
    return ResultsHeader(server, tuple(results))


def _lex(text: str) -> tuple[list[list[Token]], bool]:
    """Split a header at ";" into words and "=" signs, dropping comments (RFC 5322 CFWS).

    Quoted strings are unquoted and glued to adjacent text ("a b"@example.com is one
    word); a value after "=" may itself hold "=" and "/" (base64 in header.b), as real
    servers write them. The flag tells whether something was broken: an open comment or
    quoted string, or a ")" that closes nothing; the text is read as well as it can be.
    """
    segments: list[list[Token]] = [[]]
    word: list[str] | None = None
    in_value = broken = False
    position = 0
    while position < len(text):
        char = text[position]
        if char == '"' or not (char.isspace() or char in _SPECIAL):
            if word is None:
                word, in_value = [], bool(segments[-1]) and segments[-1][-1][0] == _EQUALS
            if char == '"':
                piece, position, closed = _quoted_string(text, position)
                broken = broken or not closed
            else:
                piece, position = _run(text, position, in_value)
            word.append(piece)
            continue
        if word is not None:
            segments[-1].append((_WORD, "".join(word)))
            word = None
        if char == "(":
            position, closed = _comment_end(text, position)
            broken = broken or not closed
            continue
        if char == ";":
            segments.append([])
        elif char == "=":
            segments[-1].append((_EQUALS, char))
        broken = broken or char == ")"
        position += 1
    if word is not None:
        segments[-1].append((_WORD, "".join(word)))
    return segments, broken


def _run(text: str, start: int, in_value: bool) -> tuple[str, int]:
    """Read ordinary characters from `start` (in a value, "=" is one): the run and its end."""
    stops = _VALUE_STOPS if in_value else _SPECIAL
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in stops:
        end += 1
    return text[start:end], end


def _quoted_string(text: str, start: int) -> tuple[str, int, bool]:
    """Read the quoted string opening at `start`: its content, where it ends, if closed."""
    content: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return "".join(content), position + 1, True
        if char == "\\" and position + 1 < len(text):
            position += 1
            char = text[position]
        content.append(char)
        position += 1
    return "".join(content), position, False


def _comment_end(text: str, start: int) -> tuple[int, bool]:
    """Skip the (possibly nested) comment opening at `start`: where it ends, if closed."""
    depth = 0
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position + 1, True
        position += 1
    return len(text), False


def _result(segment: list[Token]) -> Result | None:
    """Read "method=result name=value ..." (method may carry "/version"); None if not so."""
    if len(segment) % 3:
        return None
    pairs = []
    for index in range(0, len(segment), 3):
        (name_kind, name), (equals_kind, _), (value_kind, value) = segment[index : index + 3]
        if (name_kind, equals_kind, value_kind) != (_WORD, _EQUALS, _WORD) or not name:
            return None
        pairs.append((name.lower(), value))
    method, result = pairs[0]
    properties: dict[str, str] = {}
    for name, value in pairs[1:]:
        properties.setdefault(name, value)  # the first of a repeated property counts
    return Result(method.partition("/")[0], result.lower(), properties)


def _judge(headers: list[ResultsHeader], from_address: str, domain: str) -> Authentication:
    """Apply the rules to the trusted servers' topmost headers (see the module doc)."""
    found = [(_name(header.authserv_id), result) for header in headers for result in header.results]
    for server, result in found:
        if result.method == "dmarc" and result.result == "fail":
            return Authentication(
                False, f"dmarc=fail for {_show(_about(result) or domain)} ({server})."
            )
    for method in ("dmarc", "dkim", "spf", "auth"):
        for server, result in found:
            passed = result.method == method and result.result == "pass"
            if passed and _vouches(result, from_address, domain):
                return Authentication(
                    True, f"{method}=pass for {_show(_about(result))} ({server})."
                )
    return Authentication(False, _no_pass(headers, found, domain))


def _vouches(result: Result, from_address: str, domain: str) -> bool:
    """Whether a passing result is about the From domain (DMARC), aligned with it (DKIM,
    SPF), or a sign-in as the From address itself (auth)."""
    about = _about(result)
    if result.method == "dmarc":
        return about == domain
    if result.method == "auth":
        return _same_address(about, from_address)
    return aligned(about, domain)


def _about(result: Result) -> str:
    """The domain a result speaks for: header.from, header.d (else header.i), smtp.mailfrom;
    for auth, the identity that signed in (smtp.auth)."""
    properties = result.properties
    if result.method == "auth":
        return properties.get("smtp.auth", "")
    if result.method == "dmarc":
        return _domain(properties.get("header.from", ""))
    if result.method == "dkim":
        return _domain(properties.get("header.d") or properties.get("header.i", ""))
    if result.method == "spf":
        return _domain(properties.get("smtp.mailfrom", ""))
    return ""


def _same_address(one: str, other: str) -> bool:
    """Whether two addresses are the same mailbox (compared without case or brackets)."""
    return "@" in one and one.strip().strip("<>").lower() == other.strip().strip("<>").lower()


def aligned(one: str, other: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other (never a TLD)."""
    if not one or not other:
        return False
    shorter, longer = sorted((one, other), key=len)
    return shorter == longer or ("." in shorter and longer.endswith("." + shorter))


def _domain(value: str) -> str:
    """The domain of an address or a domain name, lower-cased and in ASCII for comparing."""
    domain = value.strip().strip("<>").rpartition("@")[2].strip().rstrip(".").lower()
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def _no_pass(headers: list[ResultsHeader], found: list[tuple[str, Result]], domain: str) -> str:
    """Say why nothing vouched: the results that were there, or that there were none."""
    servers = ", ".join(_name(header.authserv_id) for header in headers)
    if not any(header.readable for header in headers):
        return f"The Authentication-Results from {servers} could not be read."
    checks = [
        f"{result.method}={_show(result.result)}"
        + (f" for {_show(_about(result))}" if _about(result) else "")
        for _, result in found
        if result.method in ("dmarc", "dkim", "spf", "auth")
    ]
    if not checks:
        return (
            f"The Authentication-Results from {servers} report no SPF, DKIM, DMARC"
            " or sign-in check."
        )
    listed = ", ".join(checks[:_MAX_SUMMARY]) + (", ..." if len(checks) > _MAX_SUMMARY else "")
    return f"Nothing from {servers} vouches for {_show(domain)}: {listed}."


def _name(server: str) -> str:
    """How a server is named in a sentence; headers without an authserv-id have none."""
    return "unnamed server" if server == ANONYMOUS else _show(server)


def _show(text: str) -> str:
    """A value from a header fit for a sentence: printable characters, not too long."""
    shown = "".join(char for char in text if char.isprintable())
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 3] + "..."
