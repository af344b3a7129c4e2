"""Relay-style connections with opaque, versioned, bounded cursors and bounded page sizes.

A cursor is base64url of `cg2:<binding>:<position>`. The binding is a short hash of the list's
identity, its name and its arguments other than the paging ones (a `Binding`), so a cursor from
one list or filter (a caseload of team A, a search for "smith", one prison's prisoners) is
refused on another instead of silently paging a different list. The position is ASCII digits below
`MAX_POSITION`: a list pages through its first 10,000 items, and no client-chosen number
larger than that reaches a backend. Anything else is BAD_USER_INPUT, decided before any work.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.errors import BadUserInput

T = TypeVar("T")
Binding = tuple[object, ...]  # a list's name and its arguments other than first/after
MAX_PAGE = 100
DEFAULT_PAGE = 20
MAX_POSITION = 10_000  # items a connection pages through; a cursor past them is refused
_VERSION = "cg2"
_CURSOR = re.compile(r"cg2:([0-9a-f]{12}):(0|[1-9][0-9]{0,4})")  # [0-9] is ASCII only
_LONGEST = 40  # characters of an encoded cursor: anything longer is not one of ours
_NOT_OURS = "`{}` is not a cursor this API issued; pass back a cursor it gave you"


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page.")


@strawberry.type(description="One item of a connection, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    offset: strawberry.Private[int]
    binding: strawberry.Private[Binding]

    @strawberry.field(description="Opaque position of this item.")
    def cursor(self) -> str:
        return encode_cursor(self.offset, self.binding)  # when asked: a caseload page rarely asks


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="How many items the whole list has.")


def _digest(binding: Binding) -> str:
    """A short hash naming one list with its arguments."""
    return hashlib.sha256(repr(binding).encode()).hexdigest()[:12]


def encode_cursor(offset: int, binding: Binding) -> str:
    text = f"{_VERSION}:{_digest(binding)}:{offset}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str | None, binding: Binding, argument: str = "after") -> int:
    """The offset just after `cursor`; a cursor we did not issue for this list is the
    caller's error."""
    if cursor is None:
        return 0
    if len(cursor) > _LONGEST or not cursor.isascii():
        raise BadUserInput(_NOT_OURS.format(argument))
    try:
        text = base64.b64decode(cursor, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(_NOT_OURS.format(argument)) from None
    found = _CURSOR.fullmatch(text)
    if found is None:
        raise BadUserInput(_NOT_OURS.format(argument))
    if found[1] != _digest(binding):
        raise BadUserInput(f"`{argument}` is a cursor from a different list or filter; pass "
                           "back a cursor of this one")
    position = int(found[2])
    if position >= MAX_POSITION:
        raise BadUserInput(f"a list pages through its first {MAX_POSITION} items only")
    return position + 1


def page_size(first: int | None, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"`{argument}` must be between 1 and {MAX_PAGE}, not {first}")
    return first


@dataclass(frozen=True, slots=True)
class Window:
    """Which rows a page asks for: `limit` rows from `offset`, or, when `offset` is None, the
    last `limit` rows of the list (`last` without `before`)."""

    offset: int | None
    limit: int


def window(binding: Binding, first: int | None = None, after: str | None = None,
           last: int | None = None, before: str | None = None) -> Window:
    """Forwards (`first`/`after`) or backwards (`last`/`before`), as Relay pages; not both."""
    if last is None and before is None:
        return Window(decode_cursor(after, binding), page_size(first))
    if first is not None or after is not None:
        raise BadUserInput("page forwards (`first`, `after`) or backwards (`last`, `before`), "
                           "not both at once")
    size = page_size(last, "last")
    if before is None:
        return Window(None, size)
    end = decode_cursor(before, binding, "before") - 1  # the rows before that cursor's row
    return Window(max(0, end - size), min(size, end))


def connection(items: Sequence[Any], offset: int, total: int, build: Callable[[Any], Any],
               binding: Binding) -> Connection[Any]:
    items = items[:max(0, MAX_POSITION - offset)]  # no cursor past the bound is ever issued
    edges = [Edge(node=build(item), offset=offset + i, binding=binding)
             for i, item in enumerate(items)]
    end = offset + len(edges)
    info = PageInfo(has_next_page=end < min(total, MAX_POSITION), has_previous_page=offset > 0,
                    start_cursor=encode_cursor(offset, binding) if edges else None,
                    end_cursor=encode_cursor(end - 1, binding) if edges else None)
    return Connection(edges=edges, page_info=info, total_count=total)
