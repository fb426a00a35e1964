"""Prometheus metrics on their own port (`METRICS_PORT`; off while it is unset).

Requests are counted by endpoint (the route's rule, so ids don't multiply the series),
method and status, with a latency histogram. Under gunicorn each worker writes its
counts to files in `PROMETHEUS_MULTIPROC_DIR` (emptied before start) and the port,
served by the master (deploy/gunicorn.conf.py), sums them. The figures read from the
database are taken at scrape time, each scrape on a fresh connection: the outbox's
backlog, how long ago each scheduled job last ran (its lag), and the payment anomalies
still open (the reconciliation's differences).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from server.clock import utcnow

REQUESTS = Counter("linli_http_requests", "Answered requests", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "linli_http_request_duration_seconds",
    "Time from the request's arrival to its answer",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


# The labelled children, found once per (endpoint, method, status): `.labels()` takes a
# lock and builds its key on every call. As many entries as series in the registry.
_children: dict[tuple[str, str, int], tuple] = {}


def _series(endpoint: str, method: str, status: int) -> tuple:
    key = (endpoint, method, status)
    found = _children.get(key)
    if found is None:
        found = _children[key] = (
            REQUESTS.labels(endpoint, method, str(status)),
            LATENCY.labels(endpoint),
        )
    return found


def register_metrics(app: Flask) -> None:
    """Count every answer and time it, when METRICS_PORT is set."""
    if not app.config["METRICS_PORT"]:
        return

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        count, latency = _series(endpoint, request.method, response.status_code)
        count.inc()
        if started is not None:
            latency.observe(time.perf_counter() - started)
        return response


class DatabaseFigures(Collector):
    """Outbox backlog, scheduler lag and open payment anomalies, read when scraped."""

    def __init__(self, database_url: str):
        # NullPool: nothing held between scrapes (nor inherited by a forked worker).
        self.engine = create_engine(database_url, poolclass=NullPool)

    def collect(self) -> Iterator[Metric]:
        from server.models.messaging import OutboxMessage
        from server.models.payments import PaymentAnomaly
        from server.models.system import JobRun

        backlog = GaugeMetricFamily(
            "linli_outbox_backlog", "Messages waiting to be sent, by status", labels=["status"]
        )
        lag = GaugeMetricFamily(
            "linli_scheduler_last_run_age_seconds",
            "Seconds since each job's last run started",
            labels=["job"],
        )
        anomalies = GaugeMetricFamily(
            "linli_payment_anomalies_open",
            "Payment anomalies (reconciliation differences) not yet resolved",
        )
        outbox, runs = OutboxMessage, JobRun
        with self.engine.connect() as conn:
            counts = dict(
                conn.execute(
                    select(outbox.status, func.count())
                    .where(outbox.status.in_(("pending", "sending")))
                    .group_by(outbox.status)
                ).all()
            )
            last_runs = conn.execute(
                select(runs.job_name, func.max(runs.started_at)).group_by(runs.job_name)
            ).all()
            open_anomalies = conn.scalar(
                select(func.count()).where(PaymentAnomaly.resolved_at.is_(None))
            )
        for status in ("pending", "sending"):
            backlog.add_metric([status], counts.get(status, 0))
        now = utcnow()
        for job, started_at in last_runs:
            if started_at is not None:
                if started_at.tzinfo is None:
                    started_at = started_at.replace(tzinfo=now.tzinfo)
                lag.add_metric([job], max((now - started_at).total_seconds(), 0.0))
        anomalies.add_metric([], open_anomalies or 0)
        yield from (backlog, lag, anomalies)


def scrape_registry(database_url: str | None) -> CollectorRegistry:
    """What the metrics port answers: every worker's counts (summed from
    PROMETHEUS_MULTIPROC_DIR under gunicorn, this process's otherwise) and the
    database's figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ThisProcess())
    if database_url:
        registry.register(DatabaseFigures(database_url))
    return registry


class _ThisProcess(Collector):
    """This process's own request metrics (the default registry's)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def serve_metrics(port: int, database_url: str | None, addr: str = "127.0.0.1"):
    """Start the metrics port in a background thread; returns the HTTP server."""
    server, _thread = start_http_server(port, addr=addr, registry=scrape_registry(database_url))
    return server
