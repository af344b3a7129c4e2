"""Logs as JSON lines carrying the trace and span ids, so a log line leads to its trace.

Messages name providers, kinds, codes and counts, never a person's identifier; uvicorn's
access log is off because a GET's query string can hold one.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter


class TraceIds(logging.Filter):
    """Adds `trace_id` and `span_id` of the current span (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        record.trace_id = f"{context.trace_id:032x}" if context.is_valid else ""
        record.span_id = f"{context.span_id:016x}" if context.is_valid else ""
        return True


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s %(span_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    handler.addFilter(TraceIds())
    return handler


def configure(fmt: str = "json", level: int = logging.INFO) -> None:
    """Root logging for `casegraph serve`: JSON lines (default) or plain text."""
    handler = json_handler() if fmt == "json" else logging.StreamHandler(sys.stderr)
    if fmt != "json":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs each request at INFO; the start-up reachability check asks each backend's base
    # URL, whose "404 Not Found" only proves it answers, yet reads as a failure.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
