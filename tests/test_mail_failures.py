"""The one rule for what a failed mail becomes (mail_gateway.failures.fate): stop the pass,
quarantine the mail, or leave it for the next pass."""

from __future__ import annotations

import imaplib

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from helpdesk.core.errors import InvalidInput
from mail_gateway.failures import LEAVE, QUARANTINE, STOP, fate

BROKEN_DATABASE = OperationalError("INSERT ...", {}, Exception("database is locked"))
DUPLICATE_ROW = IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))


@pytest.mark.parametrize("applying", [True, False])
@pytest.mark.parametrize(
    "error",
    [
        BROKEN_DATABASE,
        OSError(28, "No space left on device"),
        ConnectionResetError(),
        imaplib.IMAP4.abort("socket error: EOF"),
        KeyboardInterrupt(),
    ],
)
def test_infrastructure_trouble_stops_the_pass_and_keeps_the_mail_on_the_server(
    error: BaseException, applying: bool
) -> None:
    assert fate(error, applying=applying) == STOP


@pytest.mark.parametrize(
    "error", [InvalidInput("no sender"), DUPLICATE_ROW, KeyError("bug"), ValueError("bug")]
)
def test_a_mail_that_cannot_be_applied_is_quarantined_for_an_agent(error: Exception) -> None:
    assert fate(error, applying=True) == QUARANTINE


@pytest.mark.parametrize("error", [KeyError("bug in quarantine"), DUPLICATE_ROW])
def test_a_failure_outside_applying_leaves_the_mail_for_the_next_pass(error: Exception) -> None:
    assert fate(error, applying=False) == LEAVE
