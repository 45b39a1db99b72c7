"""Stored SLA calendars and policies for the store, choice and TOML tests: what migration
0013 seeds (the `app` fixture builds its schema with create_all, which seeds nothing)."""

from __future__ import annotations

import pytest
from flask import Flask

from helpdesk.models import SlaPolicy
from tests.sla_policy import OFFICE_HOURS, TARGETS, fields, seed_standard

__all__ = ["OFFICE_HOURS", "TARGETS", "fields"]


@pytest.fixture
def standard(app: Flask) -> SlaPolicy:
    """The calendar "Office hours" and the default policy "Standard", as 0013 seeds them."""
    return seed_standard()
