"""`@record`: a frozen, slotted dataclass whose instances cost less to make.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`,
looked up afresh per field; a cold 100-row caseload makes about 1,500 records, and that
lookup was most of their cost. This `__init__` calls each slot's own setter, bound once:
about half the time for a 16-field record (`python -m bench.decode` times both). Everything
else (frozen assignment, equality, hashing, `dataclasses.replace`, `fields`) is the
dataclass's own.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    made: Any = dataclass(frozen=True, slots=True)(cls)
    params = [f for f in fields(made) if f.init]
    if (any(f.default_factory is not MISSING or not f.name.isidentifier() for f in params)
            or hasattr(made, "__post_init__")):
        return made  # the dataclass's own __init__ knows those
    scope: dict[str, Any] = {f"_set_{f.name}": getattr(made, f.name).__set__ for f in params}
    scope |= {f"_default_{f.name}": f.default for f in params if f.default is not MISSING}
    signature = ", ".join(f.name + (f"=_default_{f.name}" if f.default is not MISSING else "")
                          for f in params)
    body = "".join(f"\n    _set_{f.name}(self, {f.name})" for f in params) or "\n    pass"
    exec(f"def __init__(self, {signature}):{body}", scope)  # the names are fields, checked
    init = scope["__init__"]
    init.__qualname__ = f"{made.__qualname__}.__init__"
    init.__doc__ = made.__init__.__doc__
    made.__init__ = init
    return made
