"""Relay-style connections with opaque offset cursors and bounded page sizes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.errors import BadUserInput

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20
_PREFIX = "cg1:"


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

    @strawberry.field(description="Opaque position of this item.")
    def cursor(self) -> str:
        return encode_cursor(self.offset)  # when asked: a caseload page rarely asks


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="How many items the whole list has.")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset just after `cursor`; a cursor we did not issue is the caller's error."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX) or not text[len(_PREFIX):].isdigit():
        raise BadUserInput("`after` is not a cursor this API issued; pass an endCursor back")
    return int(text[len(_PREFIX):]) + 1


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE}, not {first}")
    return first


def connection(items: Sequence[Any], offset: int, total: int,
               build: Callable[[Any], Any] = lambda item: item) -> Connection[Any]:
    edges = [Edge(node=build(item), offset=offset + i) for i, item in enumerate(items)]
    info = PageInfo(has_next_page=offset + len(items) < total, has_previous_page=offset > 0,
                    start_cursor=encode_cursor(offset) if edges else None,
                    end_cursor=encode_cursor(offset + len(edges) - 1) if edges else None)
    return Connection(edges=edges, page_info=info, total_count=total)
