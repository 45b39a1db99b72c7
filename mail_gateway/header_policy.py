"""The email policy parse.py reads mail with: policy.default, made cheaper without changing
a single result.

Header parsing is most of what parsing a mail costs. Here header classes are built once
(the stdlib builds a new class on every lookup) and short header values are parsed once
across mails (To, MIME and Content-Type headers repeat endlessly).
"""

from __future__ import annotations

from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.policy import EmailPolicy
from functools import lru_cache

# Header values up to this long are remembered once parsed (the parse tree comes along).
_CACHED_VALUE_CHARS = 256
# Headers policy.default parses for structure (addresses, dates, MIME parameters, ids).
STRUCTURED = frozenset(
    name
    for name, kind in HeaderRegistry().registry.items()
    if not issubclass(kind, UnstructuredHeader)
)


class _Registry(HeaderRegistry):
    """policy.default's header registry, building each header class once, not per lookup."""

    def __init__(self) -> None:
        """Start with no classes built."""
        super().__init__()
        self._built: dict[type, type] = {}

    def __getitem__(self, name: str) -> type:
        """The header class for a header name (one per kind, as the stdlib's would be)."""
        kind = self.registry.get(name.lower(), self.default_class)
        built = self._built.get(kind)
        if built is None:
            built = self._built[kind] = super().__getitem__(name)
        return built


class _Policy(EmailPolicy):
    """policy.default whose short header values are parsed once, however often fetched."""

    def header_fetch_parse(self, name: str, value: str) -> BaseHeader | str:
        """Parse a header as policy.default does; a cached result for a short value."""
        if type(value) is str and len(value) <= _CACHED_VALUE_CHARS:
            return _fetch_cached(name, value)
        return super().header_fetch_parse(name, value)


POLICY = _Policy(header_factory=_Registry())


@lru_cache(maxsize=1024)
def _fetch_cached(name: str, value: str) -> BaseHeader | str:
    """A header object for a short value; header objects are immutable, so they are shared."""
    return EmailPolicy.header_fetch_parse(POLICY, name, value)
