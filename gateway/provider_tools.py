"""`casegraph data check` (the demo dataset's implausible records, counted by rule) and
`casegraph provider check` (the provider contract, run against anyone's provider)."""

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
    register_provider(commands)


def _data_check(args: argparse.Namespace) -> int:
    from providers.embedded import dataset
    from providers.embedded.plausibility import check

    data = dataset.build(args.seed or dataset.DEFAULT_SEED, args.size or dataset.DEFAULT_SIZE)
    found = check(data)
    print(json.dumps({"people": len(data.people), "implausible": {
        rule: {"count": len(ids), "examples": ids[:3]} for rule, ids in sorted(found.items())}},
        indent=2))
    return 1 if found else 0


def register_provider(commands: Any) -> None:
    provider = commands.add_parser("provider", help="check a provider against the contract")
    actions = provider.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="run the provider contract against MODULE:CLASS")
    check.add_argument("target", help="MODULE:CLASS (or a factory), called with --settings")
    check.add_argument("--keys", required=True,
                       help='JSON file: {"keys": {kind: [known keys]}, "criteria": {kind: {}}}')
    check.add_argument("--settings", default="{}", help="JSON object of keyword arguments")
    check.set_defaults(run=_provider_check)


def _provider_check(args: argparse.Namespace) -> int:
    import asyncio
    import importlib
    from pathlib import Path

    from providers.contract import check

    module, _, name = args.target.partition(":")
    factory = getattr(importlib.import_module(module), name)
    given = json.loads(Path(args.keys).read_text())
    settings = {"name": "checked", **json.loads(args.settings)}
    findings = asyncio.run(check(factory(**settings), given.get("keys", {}),
                                 given.get("criteria", {})))
    for finding in findings:
        print(f"FAIL {finding.kind}: {finding.problem}")
    print(f"{args.target}: {'keeps' if not findings else 'breaks'} the provider contract "
          f"({len(findings)} problem(s))")
    return 1 if findings else 0
