"""The fast postings reader agrees with Whoosh's public one-posting-at-a-time API, so a
Whoosh release without the block arrays it uses would rank exactly the same, only slower."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.kb import index, scoring


class PublicOnly:
    """A matcher seen only through Whoosh's public API (no block arrays)."""

    def __init__(self, matcher: Any) -> None:
        self._matcher = matcher

    def is_active(self) -> bool:
        return self._matcher.is_active()

    def id(self) -> int:
        return self._matcher.id()

    def weight(self) -> float:
        return self._matcher.weight()

    def next(self) -> None:
        self._matcher.next()


@pytest.mark.parametrize(("field", "term"), [("body", "vpn"), ("title", "password")])
def test_blockwise_and_public_postings_agree(demo: int, field: str, term: str) -> None:
    def both(searcher: Any) -> list[tuple[bool, scoring.Postings, scoring.Postings]]:
        """Per segment (as scoring reads them): block-wise?, fast postings, public postings."""
        found = []
        for leaf, _offset in searcher.reader().leaf_readers():
            if (field, term) not in leaf:
                continue
            matcher = leaf.postings(field, term)
            blockwise = hasattr(getattr(matcher, "child", matcher), "_read_ids")
            fast = scoring._read(matcher)
            slow = scoring._read(PublicOnly(leaf.postings(field, term)))
            found.append((blockwise, fast, slow))
        return found

    segments = index.read(both)
    assert segments and any(blockwise for blockwise, _, _ in segments)
    for _, fast, slow in segments:
        assert len(fast[0]) > 0
        assert list(fast[0]) == list(slow[0])
        assert list(fast[1]) == list(slow[1])
