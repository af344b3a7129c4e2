"""OpenTelemetry traces and metrics for one app, and `/metrics` in Prometheus format.

Spans: one per request, one each for parse, validation and execution, one per provider call
(provider, kind, batch size, cache hits): never one per resolver, which would cost more than
the request (DESIGN.md). No span, metric or log carries an identifier of a person: attributes
are names of providers, kinds, fields and codes, and counts.

Providers are per app, not global, so several apps (and tests) in one process stay apart.
Traces go to the console or by OTLP/HTTP when configured; metrics are always scraped at
`/metrics` and also pushed by OTLP when an endpoint is set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import Span, SpanKind, StatusCode
from prometheus_client import CollectorRegistry, generate_latest

from providers.registry import ConfigError

SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class TelemetrySettings:
    traces: str = "none"  # none | console | otlp
    otlp_endpoint: str | None = None  # e.g. http://collector:4318 (traces and metrics)
    service_name: str = "casegraph"
    logs: str = "json"  # json | text (for `casegraph serve`)
    metrics_from: tuple[str, ...] = ("127.0.0.0/8", "::1/128")  # who may read /metrics


def _span_exporter(settings: TelemetrySettings) -> SpanExporter | None:
    if settings.traces == "console":
        return ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n")
    if settings.traces == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        if not settings.otlp_endpoint:
            raise ConfigError("telemetry.otlp_endpoint: needed when traces = 'otlp'")
        return OTLPSpanExporter(endpoint=f"{settings.otlp_endpoint.rstrip('/')}/v1/traces")
    if settings.traces != "none":
        raise ConfigError(f"telemetry.traces = {settings.traces!r}: choose 'none', 'console' "
                          "or 'otlp'")
    return None


def _otlp_metrics(endpoint: str) -> MetricReader:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{endpoint.rstrip('/')}/v1/metrics"))


@dataclass
class ProviderCall:
    """What a provider call's caller learns after it: its error code and cache use."""

    span: Span
    error: str | None = None
    hits: int = 0
    misses: int = 0

    def failed(self, code: str) -> None:
        self.error = code
        self.span.set_attribute("casegraph.error_code", code)
        self.span.set_status(StatusCode.ERROR, code)


class Telemetry:
    """One app's tracer and instruments. Tests pass in-memory exporters and readers."""

    def __init__(self, settings: TelemetrySettings | None = None,
                 span_exporter: SpanExporter | None = None,
                 metric_readers: Iterable[MetricReader] = ()) -> None:
        settings = settings or TelemetrySettings()
        resource = Resource.create({"service.name": settings.service_name})
        configured = None if span_exporter is not None else _span_exporter(settings)
        # With nowhere to send spans, record none: each span still carries trace and span ids
        # for the logs, at a fraction of the cost (measured: about 2% of a warm caseload).
        exported = span_exporter is not None or configured is not None
        self.tracer_provider = TracerProvider(resource=resource,
                                              sampler=None if exported else ALWAYS_OFF)
        if span_exporter is not None:  # given by a test: exported at once, in order
            self.tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
        elif configured is not None:
            self.tracer_provider.add_span_processor(BatchSpanProcessor(configured))
        self.tracer = self.tracer_provider.get_tracer("casegraph")
        self.registry = CollectorRegistry()
        readers = [PrometheusMetricReader(registry=self.registry), *metric_readers]
        if settings.otlp_endpoint:
            readers.append(_otlp_metrics(settings.otlp_endpoint))
        self.meter_provider = MeterProvider(resource=resource, metric_readers=readers)
        meter = self.meter = self.meter_provider.get_meter("casegraph")
        self.requests = meter.create_counter("casegraph.requests", "{request}",
                                             "HTTP requests to /graphql, by status")
        self.latency = meter.create_histogram("casegraph.request.duration", "s",
                                              "Time to answer a request to /graphql",
                                              explicit_bucket_boundaries_advisory=SECONDS)
        self.errors = meter.create_counter("casegraph.errors", "{error}",
                                           "GraphQL errors answered, by extensions.code")
        self.provider_latency = meter.create_histogram(
            "casegraph.provider.duration", "s", "Time of one provider call, by provider, "
            "kind and outcome", explicit_bucket_boundaries_advisory=SECONDS)
        self.cache_lookups = meter.create_counter(
            "casegraph.cache.lookups", "{record}", "Records asked of a provider, by whether "
            "the cache answered (hit) or the backend did (miss)")
        self.denials = meter.create_counter("casegraph.policy.denials", "{field}",
                                            "Denied fields answered as FORBIDDEN, by field")

    @contextmanager
    def span(self, name: str, kind: SpanKind = SpanKind.INTERNAL,
             attributes: dict[str, Any] | None = None) -> Iterator[Span]:
        with self.tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span

    @contextmanager
    def provider_call(self, provider: str, kind: str, size: int) -> Iterator[ProviderCall]:
        """A span and metrics for one provider call of `size` keys (or rows asked)."""
        attributes = {"casegraph.provider": provider, "casegraph.kind": kind}
        with self.tracer.start_as_current_span(
                "provider.call", kind=SpanKind.CLIENT,
                attributes={**attributes, "casegraph.batch_size": size}) as span:
            call = ProviderCall(span)
            started = time.perf_counter()
            try:
                yield call
            finally:  # a failed call is measured too: that is what `outcome` is for
                self.provider_latency.record(time.perf_counter() - started,
                                             {**attributes, "outcome": call.error or "ok"})
            if call.hits or call.misses:
                span.set_attribute("casegraph.cache_hits", call.hits)
                self.cache_lookups.add(call.hits, {**attributes, "result": "hit"})
                self.cache_lookups.add(call.misses, {**attributes, "result": "miss"})

    def gauge(self, name: str, description: str,
              read: Callable[[], Iterable[tuple[float, dict[str, str]]]]) -> None:
        """A value read at each collection (queue states, counters kept elsewhere)."""
        def observe(_: CallbackOptions) -> Iterable[Observation]:
            return [Observation(value, attributes) for value, attributes in read()]
        self.meter.create_observable_gauge(name, [observe], description=description)

    def prometheus(self) -> bytes:
        return generate_latest(self.registry)

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
