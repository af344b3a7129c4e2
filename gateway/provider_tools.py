"""`casegraph data check`: the demo dataset's implausible records, counted by rule."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(commands: Any) -> None:
    data = commands.add_parser("data", help="the embedded demo dataset")
    actions = data.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="count records no real system would hold")
    check.add_argument("--seed", type=int, default=None)
    check.add_argument("--size", type=int, default=None)
    check.set_defaults(run=_data_check)


def _data_check(args: argparse.Namespace) -> int:
    from providers.embedded import dataset
    from providers.embedded.plausibility import check

    data = dataset.build(args.seed or dataset.DEFAULT_SEED, args.size or dataset.DEFAULT_SIZE)
    found = check(data)
    print(json.dumps({"people": len(data.people), "implausible": {
        rule: {"count": len(ids), "examples": ids[:3]} for rule, ids in sorted(found.items())}},
        indent=2))
    return 1 if found else 0
