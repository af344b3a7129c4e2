"""GraphiQL served from the gateway itself (no CDN), with example queries as tabs.

The assets are GraphiQL 3.8.3's and React 18.3.1's UMD builds, vendored under
`gateway/static/graphiql` with their licences, so the page works on a closed network.
In demo mode the page carries a fresh demo token so a newcomer's first query just works.
"""

from __future__ import annotations

import json
from pathlib import Path

from gateway import tokens

STATIC = Path(__file__).parent / "static" / "graphiql"
EXAMPLES = Path(__file__).parent / "examples"
ASSET_PATH = "/graphiql"

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>casegraph · GraphiQL</title>
  <link rel="stylesheet" href="{assets}/graphiql.min.css">
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="{assets}/react.production.min.js"></script>
  <script src="{assets}/react-dom.production.min.js"></script>
  <script src="{assets}/graphiql.min.js"></script>
  <script id="casegraph-config" type="application/json">{config}</script>
  <script>
    const config = JSON.parse(document.getElementById("casegraph-config").textContent);
    const fetcher = GraphiQL.createFetcher({{ url: config.url }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{
        fetcher,
        defaultTabs: config.tabs,
        defaultHeaders: config.headers,
        defaultEditorToolbarOpen: true,
        shouldPersistHeaders: false,
      }})
    );
  </script>
</body>
</html>
"""


def example_queries() -> dict[str, str]:
    """The shipped example operations, by file stem; the README's examples are these."""
    return {p.stem: p.read_text() for p in sorted(EXAMPLES.glob("*.graphql"))}


class GraphiQLPage:
    """Renders the IDE page; demo mode embeds a short-lived demo token for CRC C01."""

    def __init__(self, url: str = "/graphql", demo: bool = False) -> None:
        self.url = url
        self.demo = demo

    def render(self) -> str:
        headers = ""
        if self.demo:
            token = tokens.mint("C01", staff="C01T101", username="demo.officer",
                                ttl_seconds=3600)
            headers = json.dumps({"Authorization": f"Bearer {token}"}, indent=2)
        tabs = [{"query": q, "headers": headers} for q in example_queries().values()]
        config = json.dumps({"url": self.url, "tabs": tabs, "headers": headers})
        # JSON inside <script> is raw text: only "</" needs escaping, and "<\\/" is valid JSON.
        return _TEMPLATE.format(assets=ASSET_PATH, config=config.replace("</", "<\\/"))
