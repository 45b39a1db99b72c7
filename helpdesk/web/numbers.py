"""Whole numbers read from requests: ids in URLs, page numbers, and ids chosen in forms.

Each stays inside what the database holds (helpdesk.bounds): an id out of range in a URL
matches no route (404), a page number is cut to the range (listings then show their last
page), and a choice out of range is a field error like any other unreadable choice.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter, Map

from helpdesk.bounds import MAX_ID, fits_integer, page_in_range


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: only ids a row can have, so a larger number is a plain
    404 instead of a database error."""

    def __init__(self, map: Map, fixed_digits: int = 0) -> None:
        super().__init__(map, fixed_digits, min=1, max=MAX_ID)


def page_number(name: str = "page") -> int:
    """The page the query string asks for: the first when it is missing, not a number,
    zero or negative; cut to the largest page any listing could have."""
    return page_in_range(request.args.get(name, 1, type=int))


def optional_int(value: str | int | None) -> int | None:
    """Coerce a submitted choice to an id or number; the blank "any"/"none" option becomes
    None. A ValueError (not a number, or more than an INTEGER column holds) becomes WTForms'
    "could not coerce" field error."""
    if value is None or value == "":
        return None
    number = int(value)
    if not fits_integer(number):
        raise ValueError(f"{value} is out of range.")
    return number
