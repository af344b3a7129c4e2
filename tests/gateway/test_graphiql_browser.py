"""GraphiQL loads, runs a query and shows the schema's docs in headless Chromium, with the
network closed. Screenshots land in `var/test-artefacts/graphiql/` (ignored by git).

Needs Debian's `chromium` (`.ci/run` installs it and sets CASEGRAPH_REQUIRE_BROWSER=1, so in
CI this test runs or fails, never skips). On a laptop without Chromium it skips, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from gateway.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = Path(__file__).parents[2] / "var" / "test-artefacts" / "graphiql"
ROOT_FIELDS = {"offender", "offenderByNomsNumber", "offenders", "caseload", "establishment",
               "viewer"}
if CHROMIUM is None and not os.environ.get("CASEGRAPH_REQUIRE_BROWSER"):
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the gateway did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@contextmanager
def offline_page(server_url: str, outside: list[str]) -> Iterator[Any]:
    """A Chromium page that may reach only the gateway; anything else is recorded, refused."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "CASEGRAPH_REQUIRE_BROWSER is set but Chromium is missing"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})

            def only_loopback(route):
                if route.request.url.startswith(server_url):
                    return route.continue_()
                outside.append(route.request.url)
                return route.abort()

            page.route("**/*", only_loopback)
            page.goto(f"{server_url}/graphql")
            page.wait_for_selector(".graphiql-execute-button", timeout=30_000)
            yield page
        finally:
            browser.close()


def test_graphiql_runs_the_example_query_offline(server_url):
    outside: list[str] = []
    with offline_page(server_url, outside) as page:
        page.click(".graphiql-execute-button")
        page.wait_for_function(
            "() => document.querySelector('.result-window')?.innerText.includes('totalCount')",
            timeout=30_000)
        result = page.inner_text(".result-window")
    assert '"caseload"' in result and '"crn"' in result
    assert "UNAUTHENTICATED" not in result
    assert outside == [], f"the page tried to leave the machine: {outside}"


def test_the_docs_panel_lists_the_schemas_root_fields(server_url):
    outside: list[str] = []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with offline_page(server_url, outside) as page:
        page.click('button[aria-label*="Documentation Explorer"]')
        page.wait_for_selector(".graphiql-doc-explorer-root-type", timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "docs-root-types.png"))
        page.click(".graphiql-doc-explorer-root-type + a.graphiql-doc-explorer-type-name")
        page.wait_for_selector(".graphiql-doc-explorer-field-name", timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "docs-query-fields.png"))
        fields = set(page.locator(".graphiql-doc-explorer-field-name").all_inner_texts())
        title = page.inner_text(".graphiql-doc-explorer-title")
        errors = page.locator(".graphiql-doc-explorer-error").count()
        text = page.inner_text("body")
    assert title == "Query"
    assert fields >= ROOT_FIELDS, fields
    assert errors == 0 and "Error fetching schema" not in text
    assert "QUERY_TOO_COMPLEX" not in text
    assert outside == [], f"the page tried to leave the machine: {outside}"
