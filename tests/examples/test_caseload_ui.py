"""The example caseload UI in headless Chromium, at a phone's and a desktop's size: the
caseload as the API gives it, paging, the banner when a backend is down, stale badges, and a
second CRC that sees only its own people. Screenshots land in var/artefacts/caseload-ui/.

Needs Debian's `chromium` (`.ci/run` installs it and sets CASEGRAPH_REQUIRE_BROWSER=1, so in
CI these run or fail, never skip) and the UI's npm packages (`make test` installs them).
"""

from __future__ import annotations

import filecmp
import os
import re
from dataclasses import replace
from typing import Any

import httpx
import pytest

from gateway import tokens
from gateway.app import create_app
from gateway.settings import Settings
from tests.conftest import http_settings
from tests.examples import ui
from tests.servers import serving

if ui.CHROMIUM is None and not os.environ.get("CASEGRAPH_REQUIRE_BROWSER"):
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright

VIEWPORTS = pytest.mark.parametrize("viewport", list(ui.VIEWPORTS))
C01_OFFICER = "CRC C01 offender manager (demo.officer)"
PAGE_QUERY = """query($after: String, $staff: String) { caseload(first: 100, after: $after,
  filter: {staffCode: $staff}) { pageInfo { hasNextPage endCursor } edges { node { offender {
  crn nomsNumber custody { prisonNumber establishment { name }
  sentenceDates { homeDetentionCurfewEligibilityDate conditionalReleaseDate } } } } } } }"""
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DASH = "\u2013"  # the en dash the UI writes in ranges and for no value


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    return ui.build(tmp_path_factory.mktemp("caseload-ui") / "dist")


@pytest.fixture(scope="module")
def browser():
    assert ui.CHROMIUM, "CASEGRAPH_REQUIRE_BROWSER is set but Chromium is missing"
    with sync_playwright() as p:
        chromium = ui.launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo_url(built):
    with serving(create_app(Settings(ui_dir=built))) as url:
        yield url


@pytest.fixture
def page_at(browser, request):
    """`page_at(viewport)`: a fresh page (own storage) that may reach loopback only."""
    contexts = []

    def open_page(viewport: str) -> Any:
        context = browser.new_context(**ui.VIEWPORTS[viewport])
        contexts.append(context)
        page = context.new_page()
        page.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.abort())
        return page
    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Any, url: str, *, demo: str | None = None, token: str | None = None) -> None:
    page.goto(f"{url}/ui/")
    if demo:
        page.get_by_role("button", name=demo).click()
    else:
        page.get_by_label("Bearer token").fill(f"Bearer {token}")
        page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_test_id("person").first).to_be_visible(timeout=20_000)


def caseload(url: str, token: str, staff: str | None = None) -> list[dict[str, Any]]:
    """Everything the API gives this token, page by page: the oracle for what the UI shows."""
    people, after = [], None
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while True:
            body = client.post(f"{url}/graphql", json={"query": PAGE_QUERY, "variables": {
                "after": after, "staff": staff}}).json()["data"]["caseload"]
            people += [e["node"]["offender"] for e in body["edges"]]
            if not body["pageInfo"]["hasNextPage"]:
                return people
            after = body["pageInfo"]["endCursor"]


def shown_crns(page: Any) -> list[str]:
    return page.get_by_test_id("person").evaluate_all("rows => rows.map(r => r.dataset.crn)")


def as_shown(iso: str | None) -> str:
    if not iso:
        return DASH
    year, month, day = iso.split("-")
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


@VIEWPORTS
def test_my_caseload_shows_each_persons_prison_number_and_dates_as_the_api_has_them(
        page_at, demo_url, viewport):
    page = page_at(viewport)
    sign_in(page, demo_url, demo=C01_OFFICER)
    expected = caseload(demo_url, tokens.mint("C01", staff="C01T101"), staff="C01T101")
    expect(page.get_by_test_id("page-range")).to_have_text(f"1{DASH}{len(expected)} of "
                                                           f"{len(expected)}")
    rows = page.get_by_test_id("person")
    assert shown_crns(page) == [p["crn"] for p in expected]
    for row, person in zip(rows.all(), expected, strict=True):
        custody = person["custody"]
        dates = (custody or {}).get("sentenceDates") or {}
        expect(row.get_by_test_id("prison")).to_have_text(
            custody["establishment"]["name"] if custody else "Not in custody")
        expect(row).to_contain_text((custody or {}).get("prisonNumber") or
                                    person["nomsNumber"] or DASH)
        expect(row.get_by_test_id("hdced")).to_have_text(
            as_shown(dates.get("homeDetentionCurfewEligibilityDate")))
        expect(row.get_by_test_id("crd")).to_have_text(as_shown(
            dates.get("conditionalReleaseDate")))
        expect(row.get_by_test_id("freshness")).to_have_text(
            re.compile(r"^from demo data, (just now|\d+ seconds? old)$"))
    ui.screenshot(page, f"caseload-{viewport}")


@VIEWPORTS
def test_pages_through_the_whole_organisation_and_back(page_at, demo_url, viewport):
    page = page_at(viewport)
    bodies: list[dict[str, Any]] = []
    page.on("request", lambda r: r.url.endswith("/graphql") and bodies.append(r.post_data_json))
    sign_in(page, demo_url, demo=C01_OFFICER)
    page.get_by_role("button", name="All of C01").click()
    expected = [p["crn"] for p in caseload(demo_url, tokens.mint("C01"))]
    pages: list[list[str]] = []
    for start in range(0, len(expected), 20):
        end = min(start + 20, len(expected))
        expect(page.get_by_test_id("page-range")).to_have_text(
            f"{start + 1}{DASH}{end} of {len(expected)}")
        pages.append(shown_crns(page))
        if start == 0:
            ui.screenshot(page, f"organisation-{viewport}")
        if end < len(expected):
            page.get_by_role("button", name="Next").click()
    assert [crn for crns in pages for crn in crns] == expected
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_test_id("page-range")).to_have_text(
        f"{len(expected) - len(pages[-1]) - 19}{DASH}{len(expected) - len(pages[-1])} of "
        f"{len(expected)}")
    assert shown_crns(page) == pages[-2]
    # Persisted queries: every request names its operation by hash, and sends its text at
    # most once (when the gateway has not seen it); so at least one hash-only request per
    # page was answered without the text.
    assert all(b["extensions"]["persistedQuery"]["sha256Hash"] for b in bodies)
    with_text = [b["operationName"] for b in bodies if "query" in b]
    assert len(with_text) == len(set(with_text))
    assert len(bodies) - 2 * len(with_text) >= len(pages)


@VIEWPORTS
def test_a_person_opens_in_a_detail_view(page_at, demo_url, viewport):
    page = page_at(viewport)
    sign_in(page, demo_url, demo=C01_OFFICER)
    held = page.get_by_test_id("person").filter(
        has_not=page.get_by_test_id("prison").filter(has_text="Not in custody")).first
    crn, prison = held.get_attribute("data-crn"), held.get_by_test_id("prison").inner_text()
    held.get_by_role("button").click()
    expect(page.get_by_role("heading", name="Custody")).to_be_visible()
    expect(page.get_by_test_id("detail-prison")).to_have_text(prison)
    expect(page.locator("dd", has_text=crn)).to_be_visible()
    ui.screenshot(page, f"detail-{viewport}")
    page.get_by_role("button", name="← Caseload").click()
    expect(page.get_by_test_id("person").first).to_be_visible()


@VIEWPORTS
def test_a_second_crcs_token_sees_only_its_own_people(page_at, demo_url, viewport):
    page = page_at(viewport)
    token = tokens.mint("C16", staff="C16T105", username="c16.officer")
    sign_in(page, demo_url, token=token)
    expect(page.get_by_test_id("viewer")).to_have_text("C16 · c16.officer")
    page.get_by_role("button", name="All of C16").click()
    expect(page.get_by_test_id("page-range")).to_contain_text(f"1{DASH}20 of")
    theirs = {p["crn"] for p in caseload(demo_url, token)}
    c01 = {p["crn"] for p in caseload(demo_url, tokens.mint("C01"))}
    shown = set(shown_crns(page))
    assert shown and shown <= theirs and not shown & c01
    page.goto(f"{demo_url}/ui/#/offender/{sorted(c01)[0]}")  # a C01 person, by address
    expect(page.get_by_text(f"No record {sorted(c01)[0]} that you may see.")).to_be_visible()


def test_a_field_the_token_may_not_read_says_so_and_not_not_in_custody(page_at, demo_url):
    page = page_at("desktop")
    sign_in(page, demo_url, token=tokens.mint("C01", ("read",), staff="C01T101",
                                              username="no.custody"))
    prisons = page.get_by_test_id("prison")
    expect(prisons.first).to_have_text("Not shown to you")
    assert set(prisons.all_inner_texts()) == {"Not shown to you"}
    assert set(page.get_by_test_id("crd").all_inner_texts()) == {"Not shown to you"}


def test_a_token_the_gateway_refuses_returns_to_sign_in_saying_so(page_at, demo_url):
    page = page_at("phone")
    page.goto(f"{demo_url}/ui/")
    page.get_by_label("Bearer token").fill("not-a-token")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        "Your sign-in has expired or was not accepted: sign in again.")
    expect(page.get_by_label("Bearer token")).to_be_visible()


@pytest.fixture(scope="module")
def partial_url(built, simulators):
    """The gateway over the simulators with no cache: a backend down is missing values."""
    app = create_app(replace(http_settings(simulators), ui_dir=built))
    with serving(app, lifespan="on") as url:
        yield url


@VIEWPORTS
def test_nomis_down_shows_a_banner_and_everything_else(page_at, partial_url, simulators,
                                                       viewport):
    nomis, _ = simulators["nomis"]
    nomis.faults.down = True
    try:
        page = page_at(viewport)
        sign_in(page, partial_url, demo=C01_OFFICER)
        banner = page.get_by_role("alert")
        expect(banner).to_contain_text("NOMIS is not answering")
        expect(banner).to_contain_text("missing below; the rest is shown")
        ui.screenshot(page, f"nomis-down-{viewport}")
        rows = page.get_by_test_id("person")
        expect(rows.first).to_contain_text(re.compile(r"[A-Z]\d{6}"))  # nDelius still answers
        assert "Unavailable" in page.get_by_test_id("prison").all_inner_texts()
    finally:
        nomis.faults.down = False


@pytest.fixture(scope="module")
def cached_url(built, simulators):
    """Over the simulators with custody cached for no time, so it is served stale at once."""
    settings = replace(http_settings(simulators, cache="memory"), ui_dir=built,
                       cache_ttls={"custody": 0.0, "sentence_dates": 0.0})
    with serving(create_app(settings), lifespan="on") as url:
        yield url


def test_a_cached_copy_served_while_nomis_is_down_is_marked_stale(page_at, cached_url,
                                                                   simulators):
    page = page_at("desktop")
    sign_in(page, cached_url, demo=C01_OFFICER)
    badges = page.get_by_test_id("freshness").filter(has_text="NOMIS")
    expect(badges.first).to_have_text(re.compile(r"^from NOMIS, (just now|\d+ seconds? old)$"))
    nomis, _ = simulators["nomis"]
    nomis.faults.down = True
    try:
        page.reload()
        expect(badges.first).to_have_text(re.compile(r"^stale from NOMIS"))
        ui.screenshot(page, "stale-desktop")
    finally:
        nomis.faults.down = False


def test_the_committed_build_is_what_the_source_builds(built):
    """`make run` serves examples/caseload-ui/dist with no node installed: it must be current."""
    committed = ui.UI / "dist"
    compared = filecmp.dircmp(committed, built)
    assert sorted(p.name for p in committed.rglob("*")) == sorted(p.name for p in
                                                                 built.rglob("*")), \
        "rebuild: (cd examples/caseload-ui && npm run build)"
    mismatch, errors = filecmp.cmpfiles(committed, built, [
        str(p.relative_to(built)) for p in built.rglob("*") if p.is_file()], shallow=False)[1:]
    assert not mismatch and not errors and compared is not None


def test_the_uis_own_unit_tests_pass():
    run = ui.npm("test")
    assert re.search(r"Tests\s+\d+ passed", run.stdout)


def test_the_ui_is_served_with_a_strict_content_security_policy(demo_url, built):
    page = httpx.get(f"{demo_url}/ui/", timeout=10)
    assert page.status_code == 200 and "<div id=\"root\">" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(f"{demo_url}/ui", timeout=10, follow_redirects=True).status_code == 200


def test_demo_tokens_are_offered_only_in_the_demo(built):
    from starlette.testclient import TestClient

    from gateway.settings import AuthSettings

    for demo, status in ((True, 200), (False, 404)):
        app = create_app(Settings(ui_dir=built, auth=AuthSettings(demo=demo)))
        assert TestClient(app).get("/ui/demo-tokens.json").status_code == status
