"""A CRC's own subgraph composed into casegraph: its fields answer through the row judge and
the policies, in batches, with partial errors, within the deadline and the cost limit."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from gateway.telemetry import Telemetry
from providers.simulation import Faults
from tests.federation.conftest import ask, federated

OFFICER = {"org": "C01", "staff": "C01T101", "username": "demo.officer"}
NOTES = '{ offender(crn: "X000001") { crn caseNotes(first: 2) { id type text writtenAt } } }'


def codes(body: dict) -> list[tuple[str, str | None, list]]:
    return [(e["extensions"]["code"], e["extensions"].get("provider"), e["path"])
            for e in body.get("errors", [])]


async def test_a_subgraph_field_answers_for_a_person_the_caller_may_see(notes_app, stats):
    body = await ask(notes_app, NOTES, **OFFICER)
    notes = body["data"]["offender"]["caseNotes"]
    assert [n["id"][0] for n in notes] == ["N", "N"] and "errors" not in body
    assert notes[0]["writtenAt"].startswith("20") and notes[0]["type"] == "CONTACT"
    assert sum(stats.values()) == 1
    sources = {s["provider"]: s for s in body["extensions"]["sources"]}
    assert sources["casenotes"]["kinds"] == {"casenotes:Offender": {"records": 1}}
    assert sources["casenotes"]["status"] == "ok"


async def test_nothing_is_asked_about_someone_outside_reach_or_kept_by_limited_access(
        notes_app, notes_service, stats):
    query = """{ other: offender(crn: "X000002") { caseNotes { id } }
                 excluded: offender(crn: "X000040") { crn accessRestricted caseNotes { id } }
                 own: offender(crn: "X000001") { cases { caseNotes { id } } } }"""
    body = await ask(notes_app, query, org="C01", staff="C01T101", username="jexcluded")
    assert body["data"]["other"] is None and "errors" not in body
    assert body["data"]["excluded"] == {"crn": "X000040", "accessRestricted": True,
                                        "caseNotes": None}
    assert body["data"]["own"]["cases"][0]["caseNotes"]
    sent = list(notes_service[0].requests)[-sum(stats.values()):]
    assert sent and all("X000002" not in b and "X000040" not in b for b in sent)


async def test_calls_to_the_subgraph_do_not_grow_with_rows(notes_app, stats):
    query = """query Rows($n: Int) { caseload(first: $n) { edges { node { caseNotes { id }
        offender { caseNotes { type } custody { resettlementNeeds { pathway } } } } } } }"""
    calls = []
    for rows in (3, 40):
        stats.clear()
        body = await ask(notes_app, query, {"n": rows}, **OFFICER)
        assert len(body["data"]["caseload"]["edges"]) == rows and "errors" not in body
        calls.append(sum(stats.values()))
    assert calls[0] == calls[1] <= 3  # one per level that selects the subgraph's fields


async def test_field_policies_decide_subgraph_fields_and_types(notes_app, notes_service, stats):
    hq = await ask(notes_app, '{ offender(crn: "X000001") { caseNotes(first: 1) { id text } } }',
                   org="HQ", username="hq.analyst", staff=None)
    assert hq["data"]["offender"]["caseNotes"][0]["text"] is None
    assert hq["data"]["offender"]["caseNotes"][0]["id"].startswith("N")
    assert codes(hq) == [("FORBIDDEN", None, ["offender", "caseNotes", "@", "text"])]
    assert "text" not in notes_service[0].requests[-1], "a denied field is not asked for"
    prison = await ask(notes_app, """{ offender(crn: "X000004") { caseNotes { id }
        custody { resettlementNeeds { pathway priority } } } }""", org="MDI",
                       scopes=("read", "custody:read"))
    assert prison["data"]["offender"]["caseNotes"] is None
    assert prison["data"]["offender"]["custody"]["resettlementNeeds"]
    assert codes(prison) == [("FORBIDDEN", None, ["offender", "caseNotes"])]


async def test_variables_fragments_and_directives_reach_the_subgraph_as_the_client_wrote_them(
        notes_app, stats):
    query = """query Q($n: Int, $quiet: Boolean!) { offender(crn: "X000001") {
        caseNotes(first: $n) { ...Note kind: type text @skip(if: $quiet) } } }
        fragment Note on CaseNote { id writtenAt }"""
    body = await ask(notes_app, query, {"n": 1, "quiet": True}, **OFFICER)
    [note] = body["data"]["offender"]["caseNotes"]
    assert set(note) == {"id", "writtenAt", "kind"} and note["kind"] == "CONTACT"
    loud = await ask(notes_app, query, {"n": 3, "quiet": False}, **OFFICER)
    assert [n["id"] for n in loud["data"]["offender"]["caseNotes"]][:1] == [note["id"]]
    assert all(n["text"] for n in loud["data"]["offender"]["caseNotes"])


async def test_a_failing_subgraph_nulls_only_its_own_fields(notes_app, notes_service, stats):
    notes_service[0].faults = Faults(down=True)
    body = await ask(notes_app, '{ offender(crn: "X000001") { crn name { surname } '
                                'caseNotes { id } } }', **OFFICER)
    assert body["data"]["offender"]["name"]["surname"] and body["data"]["offender"]["crn"]
    assert body["data"]["offender"]["caseNotes"] is None
    assert codes(body) == [("BACKEND_UNAVAILABLE", "casenotes", ["offender", "caseNotes"])]
    sources = {s["provider"]: s["status"] for s in body["extensions"]["sources"]}
    assert sources == {"casenotes": "failed", "embedded": "ok"}


async def test_an_error_for_one_record_is_bad_data_for_that_record_only(notes_app, notes_service,
                                                                       stats):
    notes_service[0].notes.broken.add("X000004")
    body = await ask(notes_app, """{ a: offender(crn: "X000001") { caseNotes { id } }
                                     b: offender(crn: "X000004") { caseNotes { id } } }""",
                     **OFFICER)
    assert body["data"]["a"]["caseNotes"] and body["data"]["b"] == {"caseNotes": None}
    assert codes(body) == [("BACKEND_BAD_DATA", "casenotes", ["b", "caseNotes"])]
    assert "cannot be read" not in str(body), "the subgraph's own words are not passed on"


async def test_a_slow_subgraph_is_cut_off_at_the_query_deadline(notes_service, stats):
    app = create_app(federated(notes_service[1], deadline_seconds=0.3))
    notes_service[0].faults = Faults(latency_ms=2000)  # within its own 5 s timeout
    body = await ask(app, NOTES, **OFFICER)
    assert body["data"]["offender"]["crn"] == "X000001"
    assert codes(body) == [("BACKEND_TIMEOUT", "casenotes", ["offender", "caseNotes"])]
    await app.state.registry.aclose()


async def test_query_cost_counts_the_subgraphs_fields(notes_app, stats):
    def rows(remote: str) -> str:
        return "{ caseload(first: 100) { edges { node { offender { crn " + remote + " } } } } }"
    fine = await ask(notes_app, rows(""), **OFFICER)
    assert "errors" not in fine
    costly = await ask(notes_app, rows("caseNotes(first: 100) { id text type }"), **OFFICER)
    [error] = costly["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == "max_cost" and error["extensions"]["value"] > 25_000
    assert sum(stats.values()) == 0


async def test_its_calls_are_traced_like_any_provider_call(notes_service, stats):
    spans = InMemorySpanExporter()
    app = create_app(federated(notes_service[1]), Telemetry(span_exporter=spans))
    await ask(app, NOTES, **OFFICER)
    calls = [s.attributes for s in spans.get_finished_spans() if s.name == "provider.call"]
    assert {"casegraph.provider": "casenotes", "casegraph.kind": "casenotes:Offender",
            "casegraph.batch_size": 1}.items() <= calls[-1].items()
    await app.state.registry.aclose()


@pytest.mark.parametrize("crn", ["X000001", "X000004"])
async def test_a_case_and_custody_are_extended_through_their_own_records(notes_app, stats, crn):
    body = await ask(notes_app, """query($crn: ID!) { offender(crn: $crn) { cases { eventId
        caseNotes { caseId } } custody { prisonNumber resettlementNeeds { pathway } } } }""",
                     {"crn": crn}, **OFFICER)
    offender = body["data"]["offender"]
    assert any(case["caseNotes"] for case in offender["cases"]) or crn != "X000001"
    for case in offender["cases"]:
        assert {n["caseId"] for n in case["caseNotes"]} <= {case["eventId"]}
    if offender["custody"] is not None:
        assert isinstance(offender["custody"]["resettlementNeeds"], list)
    assert "errors" not in body
