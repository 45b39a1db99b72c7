"""The standard SLA policy for the reports' tests (the `app` fixture seeds none)."""

from __future__ import annotations

import pytest
from flask import Flask

from helpdesk.models import SlaPolicy
from tests.sla_policy import seed_standard


@pytest.fixture
def standard(app: Flask) -> SlaPolicy:
    """The calendar "Office hours" (Mon-Fri 9-17 UTC) and the default policy "Standard"."""
    return seed_standard()
