"""schemathesis over the whole OpenAPI document, with a token of each role: no operation
answers 5xx, every response matches its documented status, media type and schema
(tests/api/contract.py; bench/api_fuzz.py runs the same for longer)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.api.contract import check, operations, seed

# Generated requests per operation, each sent once per role and once without a token.
EXAMPLES = 25
# The operations are split into this many tests, which pytest-xdist's workers share.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_keeps_its_contract(app: Flask, shard: int) -> None:
    seeded = seed()
    every = operations(app)
    assert len(every) >= SHARDS
    for operation in every[shard::SHARDS]:
        assert check(operation, seeded, EXAMPLES) > 0
