"""The range of whole numbers the database holds, and paging that stays inside it.

Numbers arrive from outside (URLs, forms, query strings) with as many digits as anyone
types. Past the column's range the database does not answer "no such row": SQLite's
driver raises OverflowError past 64 bits and PostgreSQL refuses a number its INTEGER
column cannot hold. So numbers are checked here before they reach a query.
"""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from helpdesk.extensions import db

# Every id and number column is an INTEGER: 32 bits, signed, on PostgreSQL.
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1
MAX_ID = INTEGER_MAX
# No listing has more rows than there are ids, so no page past this one has any.
MAX_PAGE = MAX_ID


def fits_integer(value: int) -> bool:
    """Whether an INTEGER column can hold the number."""
    return INTEGER_MIN <= value <= INTEGER_MAX


def is_id(value: int) -> bool:
    """Whether the number can be a row's id (they start at 1)."""
    return 1 <= value <= MAX_ID


def parse_id(text: str) -> int | None:
    """An id written in ASCII digits, or None for anything else: other scripts' digits
    (str.isdigit accepts "²", which int() refuses) or a number no row's id can be."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if is_id(number) else None


def page_in_range(page: int) -> int:
    """The page number cut to 1..MAX_PAGE, so that its offset is one the database takes."""
    return min(max(page, 1), MAX_PAGE)


def paginate(query: Select[Any], page: int, per_page: int) -> Pagination:
    """One page of the query's rows; a page number past the end shows the last page
    (page numbers come from URLs, and an empty page helps nobody)."""
    listing = db.paginate(
        query, page=page_in_range(page), per_page=per_page, max_per_page=None, error_out=False
    )
    if listing.pages and listing.page > listing.pages:
        listing = db.paginate(
            query, page=listing.pages, per_page=per_page, max_per_page=None, error_out=False
        )
    return listing
