"""The row attributes a policy may test, per record type, and how each is read.

Some attributes need data from another backend (`heldAt` needs the offender's custody);
`NEEDS` names them so resolvers fetch that data, in batch, only when a policy uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Extras = Mapping[str, Any]
Getter = Callable[[Any, Extras], Any]

ROW_ATTRIBUTES: dict[str, dict[str, Getter]] = {
    "Offender": {
        "managingProvider": lambda person, _: person.managing_provider,
        "heldAt": lambda _, extra: extra.get("heldAt"),
    },
    "Case": {
        "managingProvider": lambda case, _: case.managing_provider,
        "active": lambda case, _: case.active,
    },
    "Appointment": {
        "provider": lambda appointment, _: appointment.provider_code,
    },
    "Custody": {
        "establishment": lambda custody, _: custody.agency_id,
        "managingProviders": lambda _, extra: extra.get("managingProviders", frozenset()),
    },
}

# Attributes read from `extras`, which the resolver must gather before filtering.
NEEDS: dict[str, frozenset[str]] = {
    "Offender": frozenset({"heldAt"}),
    "Custody": frozenset({"managingProviders"}),
}

# Row filters a provider can apply itself: policy attribute -> provider criterion.
PUSHDOWN: dict[str, dict[str, str]] = {
    "Case": {"managingProvider": "provider"},
    "Offender": {"managingProvider": "provider"},
    "Custody": {"establishment": "establishment"},
}
