"""References (INC-000123, PRB-000123, CHG-000123): the one spelling rule, a pure function
shared by the service layer, the console's reference search and the mail gateway's routing."""

from __future__ import annotations

DIGITS = 6
# Problem and change records' prefixes (PRB-000123, CHG-000123), fixed: unlike incidents',
# they never travel in mail subjects that a deployment may want to brand.
PROBLEM_PREFIX = "PRB"
CHANGE_PREFIX = "CHG"


def spell_reference(prefix: str, number: int) -> str:
    """Spell an incident reference: the prefix, a dash, the number padded to six digits."""
    return f"{prefix.strip()}-{number:0{DIGITS}d}"
