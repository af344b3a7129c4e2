"""Traces, metrics and logs: what operators see, and that no person's identifier is in them."""

import io
import json
import logging
import re

import httpx
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway import logs
from gateway.app import create_app
from gateway.ratelimit import RateLimitSettings
from gateway.settings import Settings
from gateway.telemetry import Telemetry
from tests.conftest import bearer, http_settings

CASELOAD = """query Caseload { caseload(first: 20) { edges { node { id offender {
  crn nomsNumber name { surname } custody { status establishment { name } } } } } } }"""
# Identifier shapes (CRN, NOMS number, PNC) that must appear nowhere operators look.
PERSONAL = re.compile(r"\b[A-Z]\d{6}\b|\b[A-Z]\d{4}[A-Z]{2}\b|\b\d{2,4}/\d{5,7}[A-Z]\b")


@pytest.fixture(scope="module")
async def observed(simulators):
    spans, metrics = InMemorySpanExporter(), InMemoryMetricReader()
    telemetry = Telemetry(span_exporter=spans, metric_readers=[metrics])
    app = create_app(http_settings(simulators, cache="memory"), telemetry)
    yield app, spans, metrics
    await app.state.registry.aclose()


async def ask(app, body, org="C01", scopes=("read", "custody:read")):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        return await c.post("/graphql", json=body, headers=bearer(org, scopes))


def metric_points(reader) -> dict[str, list]:
    found: dict[str, list] = {}
    for resource in reader.get_metrics_data().resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


async def test_a_request_is_one_trace_with_a_span_per_stage_and_per_provider_call(observed):
    app, spans, _ = observed
    spans.clear()
    await ask(app, {"query": CASELOAD, "operationName": "Caseload"})
    finished = spans.get_finished_spans()
    names = [s.name for s in finished]
    assert {"POST /graphql", "graphql.parse", "graphql.validate", "graphql.execute"} <= set(names)
    assert len({s.context.trace_id for s in finished}) == 1
    calls = [s for s in finished if s.name == "provider.call"]
    kinds = {(s.attributes["casegraph.provider"], s.attributes["casegraph.kind"]) for s in calls}
    assert {("delius", "caseload"), ("nomis", "custody")} <= kinds
    custody = next(s for s in calls if s.attributes["casegraph.kind"] == "custody")
    assert custody.attributes["casegraph.batch_size"] > 1  # one call for the whole page
    execute = next(s for s in finished if s.name == "graphql.execute")
    assert execute.attributes["graphql.operation.name"] == "Caseload"
    request = next(s for s in finished if s.name == "POST /graphql")
    assert request.attributes["http.response.status_code"] == 200


async def test_cache_hits_show_on_the_provider_span_and_in_the_metrics(observed):
    app, spans, metrics = observed
    query = {"query": '{ offender(crn: "X000004") { crn custody { status } } }'}
    await ask(app, query)
    spans.clear()
    await ask(app, query)
    cached = [s for s in spans.get_finished_spans() if s.name == "provider.call"]
    assert cached and all(s.attributes.get("casegraph.cache_hits", 0) >= 1 for s in cached)
    lookups = metric_points(metrics)["casegraph.cache.lookups"]
    assert any(p.attributes["result"] == "hit" and p.value > 0 for p in lookups)


async def test_errors_by_code_denials_and_provider_latency_are_counted(observed):
    app, _, metrics = observed
    await ask(app, {"query": '{ offender(crn: "X000004") { crn custody { status } } }'},
              scopes=("read",))
    await ask(app, {"query": "{ nosuch }"})
    points = metric_points(metrics)
    errors = {p.attributes["code"]: p.value for p in points["casegraph.errors"]}
    assert errors["FORBIDDEN"] >= 1 and errors["GRAPHQL_VALIDATION_FAILED"] >= 1
    denials = {p.attributes["field"] for p in points["casegraph.policy.denials"]}
    assert "Offender.custody" in denials
    providers = {p.attributes["casegraph.provider"] for p in points["casegraph.provider.duration"]}
    assert {"delius", "nomis"} <= providers
    assert sum(p.value for p in points["casegraph.requests"]) >= 2


async def test_metrics_are_served_in_prometheus_format(observed):
    app, _, _ = observed
    await ask(app, {"query": "{ viewer { organisation } }"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        response = await c.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    for name in ("casegraph_requests_total", "casegraph_request_duration_seconds_bucket",
                 "casegraph_provider_up", "casegraph_audit_events"):
        assert name in response.text


async def test_no_identifier_of_a_person_reaches_spans_metrics_or_logs(observed, simulators):
    app, spans, metrics = observed
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level, root.level = root.level, logging.DEBUG
    try:
        spans.clear()
        await ask(app, {"query": CASELOAD})
        await ask(app, {"query": "query($c: ID!) { offender(crn: $c) { crn name { surname } } }",
                        "variables": {"c": "X000004"}})
        await ask(app, {"query": '{ offenderByNomsNumber(nomsNumber: "A0004AA") { crn } }'})
        await ask(app, {"query": '{ offenders(search: "Smith") { totalCount } }'})
        simulators["nomis"][0].faults.down = True  # failures are logged and traced too
        await ask(app, {"query": '{ offender(crn: "X000005") { custody { status } } }'},
                  org="C16")
    finally:
        root.removeHandler(handler)
        root.level = old_level
    exported = [json.loads(s.to_json()) for s in spans.get_finished_spans()]
    seen = json.dumps([{k: s[k] for k in ("name", "attributes", "events", "status")}
                       for s in exported])
    seen += json.dumps([[p.attributes for p in points]
                        for points in metric_points(metrics).values()], default=str)
    seen += stream.getvalue()
    assert len(exported) > 10
    assert PERSONAL.findall(seen) == []
    assert "Smith" not in seen


async def test_log_lines_are_json_and_carry_the_trace_id():
    spans = InMemorySpanExporter()
    settings = Settings(rate_limits=RateLimitSettings(storage="redis://127.0.0.1:1/0"))
    app = create_app(settings, Telemetry(span_exporter=spans))
    stream = io.StringIO()
    logger = logging.getLogger("casegraph.ratelimit")
    handler = logs.json_handler(stream)
    logger.addHandler(handler)
    try:
        await ask(app, {"query": "{ viewer { organisation } }"})  # the store is down: a warning
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["level"] == "WARNING" and line["logger"] == "casegraph.ratelimit"
    request = next(s for s in spans.get_finished_spans() if s.name == "POST /graphql")
    assert line["trace_id"] == f"{request.context.trace_id:032x}"


async def test_a_failed_provider_call_is_measured_with_its_outcome(simulators):
    spans, metrics = InMemorySpanExporter(), InMemoryMetricReader()
    app = create_app(http_settings(simulators),  # no cache: the call must reach the backend
                     Telemetry(span_exporter=spans, metric_readers=[metrics]))
    simulators["nomis"][0].faults.down = True
    await ask(app, {"query": '{ offender(crn: "X000004") { crn custody { status } } }'})
    failed = [s for s in spans.get_finished_spans() if s.name == "provider.call"
              and s.attributes.get("casegraph.error_code") == "BACKEND_UNAVAILABLE"]
    assert failed and failed[0].attributes["casegraph.provider"] == "nomis"
    outcomes = {(p.attributes["casegraph.provider"], p.attributes["outcome"])
                for p in metric_points(metrics)["casegraph.provider.duration"]}
    assert ("nomis", "BACKEND_UNAVAILABLE") in outcomes
    await app.state.registry.aclose()
