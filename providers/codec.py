"""How values are written to a shared cache: tagged JSON that can only ever become data.

Whoever can write to a shared Redis must not be able to run code in the gateways that read
it, so nothing is unpickled. A value is JSON (orjson) in which the types JSON lacks are tagged:

    {"d": "2024-01-31"}                  a date
    {"dt": "2024-01-31T09:00:00+00:00"}  a datetime
    {"t": [...]}                         a tuple
    {"m": [["key", value], ...]}         a mapping
    {"r": "Person", "f": [...]}          a record: one of `RECORDS`, its fields in order

Decoding builds only those: a record name outside the list, a wrong field count, anything
else is `Unreadable`, which the cache answers as a miss. No new dependency: tagging keeps the
value self-describing (a cache entry does not say which kind it holds), which msgspec's typed
decoding would need to be told.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import orjson

from providers import records
from providers.base import Page

RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in vars(records).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)} | {"Page": Page}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in RECORDS.values()}


class Unreadable(ValueError):
    """A cached value that is not one this codec wrote."""


def encode(value: Any) -> bytes:
    return orjson.dumps(_plain(value))


def decode(raw: bytes | str) -> Any:
    try:
        return _value(orjson.loads(raw))
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise Unreadable(type(exc).__name__) from None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, tuple):
        return {"t": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if type(value) in _FIELDS:
        return {"r": type(value).__name__,
                "f": [_plain(getattr(value, name)) for name in _FIELDS[type(value)]]}
    if isinstance(value, Mapping):
        return {"m": [[str(k), _plain(v)] for k, v in value.items()]}
    raise TypeError(f"the cache holds records and plain data, not {type(value).__name__}")


def _value(data: Any) -> Any:
    if isinstance(data, list):
        return [_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "r" in data:
        cls, fields = RECORDS[data["r"]], data["f"]
        if len(data) != 2 or not isinstance(fields, list) or len(fields) != len(_FIELDS[cls]):
            raise ValueError("not a record")
        return cls(*(_value(v) for v in fields))
    [(tag, body)] = data.items()
    if tag == "t":
        return tuple(_value(v) for v in body)
    if tag == "d":
        return date.fromisoformat(body)
    if tag == "dt":
        return datetime.fromisoformat(body)
    if tag == "m":
        return {str(k): _value(v) for k, v in body}
    raise ValueError("unknown tag")
