"""Backend JSON decoded straight into typed structs, built from the real contracts' schemas.

Each adapter names, for each shape it reads, the fields its mapping uses and which of them
the record cannot be without; their types come from the JSON Schema in
`providers/*/contracts/` (strings, integers, booleans, ISO dates, enums as `Literal`, nested
objects and arrays). msgspec then decodes in C, skipping every field nobody reads, checks
types and enums, and parses dates, where `orjson.loads` built a dict of everything and the
mapping checked it field by field in Python.

A batch is decoded whole, and record by record only when that fails (`typed_list`): one
record that does not fit its struct is BACKEND_BAD_DATA for its own key, found by decoding
only the key, as before; a record whose key cannot be read marks the batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import msgspec

from providers.errors import BackendBadData
from providers.http.batch import Batch

DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError)
RAWS = msgspec.json.Decoder(list[msgspec.Raw])


@cache
def contract(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def struct(name: str, schema: Mapping[str, Any], fields: Iterable[str],
           required: Iterable[str] = (), nested: Mapping[str, Any] | None = None,
           overrides: Mapping[str, Any] | None = None) -> type[msgspec.Struct]:
    """A struct of `fields` of an object schema: required ones first (no default), the rest
    `T | None = None`. `nested` gives the struct of an object field or of an array's items;
    `overrides` a type where the API is laxer than its schema says."""
    properties = schema.get("items", schema)["properties"]
    nested, overrides, required = dict(nested or {}), dict(overrides or {}), set(required)
    spec: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for field in sorted(fields, key=lambda f: f not in required):
        kind = overrides.get(field) or _type(properties[field], nested.get(field))
        spec.append((field, kind) if field in required else (field, kind | None, None))
    return msgspec.defstruct(name, spec, kw_only=True)


def _type(prop: Mapping[str, Any], inner: Any = None) -> Any:
    kind = prop.get("type")
    if isinstance(kind, list):  # ["string", "null"]: nullability is the struct's to say
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "array":
        item = inner or _type(prop.get("items") or {})
        return list.__class_getitem__(item)
    if kind == "object":
        return inner or dict[str, Any]
    if kind == "string":
        if "enum" in prop:
            return Literal[tuple(prop["enum"])]
        return date if prop.get("format") == "date" else str
    scalars: dict[Any, Any] = {"integer": int, "number": float, "boolean": bool}
    return scalars.get(kind, Any)


def records(provider: str, what: str, body: bytes, decoder: msgspec.json.Decoder[Any],
            key_decoder: msgspec.json.Decoder[Any], key_of: Callable[[Any], Iterable[str]],
            convert: Callable[[Any], Any], batch: Batch | None = None) -> Batch:
    """Each record of a JSON array decoded, converted and filed under its keys; a record that
    does not decode is bad data for its own keys only."""
    return filed(batch or Batch(provider, what),
                 typed_list(provider, what, body, decoder, key_decoder, key_of), convert)


def typed_list(provider: str, what: str, body: bytes, decoder: msgspec.json.Decoder[Any],
               key_decoder: msgspec.json.Decoder[Any], key_of: Callable[[Any], Iterable[str]]
               ) -> list[tuple[list[str] | None, Any]]:
    """A JSON array's records with their keys, as `decoded` gives them. The whole array is
    decoded in one pass first; only when some record does not fit is it split and decoded
    record by record (splitting first parsed every answer twice)."""
    try:
        return [([str(k) for k in key_of(typed)], typed) for typed in _list_of(decoder)
                .decode(body)]
    except (*DECODE_ERRORS, TypeError, AttributeError):
        pass
    try:
        raws = RAWS.decode(body)
    except DECODE_ERRORS as exc:
        raise BackendBadData(provider, f"unexpected {what} list ({type(exc).__name__})") from exc
    return decoded(raws, decoder, key_decoder, key_of)


@cache
def _list_of(decoder: msgspec.json.Decoder[Any]) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(list[decoder.type])  # type: ignore[name-defined]


def decoded(raws: Iterable[msgspec.Raw], decoder: msgspec.json.Decoder[Any],
            key_decoder: msgspec.json.Decoder[Any], key_of: Callable[[Any], Iterable[str]]
            ) -> list[tuple[list[str] | None, Any]]:
    """Per raw record, in order: its keys (None when not even they can be read) and its
    struct (None when it does not fit)."""
    found: list[tuple[list[str] | None, Any]] = []
    for raw in raws:
        try:
            typed = decoder.decode(raw)
        except DECODE_ERRORS:
            typed = None
        try:
            keys = [str(k) for k in key_of(typed if typed is not None else
                                           key_decoder.decode(raw))]
        except (*DECODE_ERRORS, TypeError, AttributeError):
            keys = None
        found.append((keys, typed))
    return found


def filed(batch: Batch, records: Iterable[tuple[list[str] | None, Any]],
          convert: Callable[[Any], Any]) -> Batch:
    """Decoded records converted and filed under their keys: one that did not decode or
    convert is bad data for its own keys; one without keys marks the batch unreadable."""
    provider, what = batch.provider, batch.what
    for keys, typed in records:
        value: Any
        if keys is None:
            batch.unreadable = True
            continue
        if typed is None:
            value = BackendBadData(provider, f"unexpected {what}")
        else:
            try:
                value = convert(typed)
            except BackendBadData as exc:
                value = exc
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
                value = BackendBadData(provider, f"unexpected {what} ({type(exc).__name__})")
        for key in keys:
            batch.found.setdefault(key, value)
    return batch
