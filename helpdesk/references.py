"""References (INC-000123, PRB-000123, CHG-000123): the one spelling rule, a pure function
shared by the service layer, the console's reference search and the mail gateway's routing."""

from __future__ import annotations

import re

DIGITS = 6
# Problem and change records' prefixes (PRB-000123, CHG-000123), fixed: unlike incidents',
# they never travel in mail subjects that a deployment may want to brand.
PROBLEM_PREFIX = "PRB"
CHANGE_PREFIX = "CHG"


def spell_reference(prefix: str, number: int) -> str:
    """Spell an incident reference: the prefix, a dash, the number padded to six digits."""
    return f"{prefix.strip()}-{number:0{DIGITS}d}"


def reference_in(prefix: str, text: str | None) -> str | None:
    """The reference `text` names in any spelling a person types (chg-12, CHG-000012, 12)
    spelled as stored, or None when it names none."""
    match = re.fullmatch(rf"\s*(?:{re.escape(prefix)}-?)?0*(\d{{1,12}})\s*", text or "", re.I)
    return spell_reference(prefix, int(match.group(1))) if match else None
