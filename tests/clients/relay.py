"""The example operations as a Relay app writes them, for relay-compiler.

Relay reads operations from `graphql` tags in source modules and wants each query named
after its module with a `Query` suffix: `gateway/examples/1-caseload.graphql`'s `Caseload`
becomes module `Caseload.ts` holding `query CaseloadQuery`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gateway.graphiql import example_queries

OPERATION = re.compile(r"^query (\w+)", re.M)
REFETCHABLE_OFFENDER = """fragment OffenderCard_offender on Offender
  @refetchable(queryName: "OffenderCardRefetchQuery") {
  crn
  name { forename surname }
  custody { status establishment { name } }
}"""


def _module(document: str) -> tuple[str, str]:
    name = OPERATION.search(document).group(1)  # type: ignore[union-attr]
    text = OPERATION.sub(f"query {name}Query", document, count=1)
    return name, text


def write_project(root: Path, schema_sdl: str, extra: dict[str, str] | None = None) -> Path:
    """A relay-compiler project under `root`: config, schema and one module per operation."""
    src = root / "src"
    (src / "__generated__").mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text(schema_sdl)
    modules = dict(_module(doc) for doc in example_queries().values()) | (extra or {})
    for name, text in modules.items():
        (src / f"{name}.ts").write_text(
            f'import {{ graphql }} from "relay-runtime";\n\nexport const node = graphql`\n'
            f"{text}\n`;\n")
    config = {"src": "./src", "schema": "./schema.graphql", "language": "typescript",
              "artifactDirectory": "./src/__generated__"}
    (root / "relay.config.json").write_text(json.dumps(config, indent=2))
    return root / "relay.config.json"
