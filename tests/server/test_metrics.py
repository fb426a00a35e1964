"""The metrics port as Prometheus scrapes it: requests by endpoint and status, their
latency, the outbox's backlog, each job's lag and the open payment anomalies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from server import create_app
from server.clock import utcnow
from server.extensions import db
from server.metrics import serve_metrics
from server.models import OutboxMessage
from server.models.payments import PaymentAnomaly
from server.models.system import JobRun
from tests.conftest import app_env
from tests.factories import build_world


@pytest.fixture
def scrape(database_url):
    """GET the metrics port (served in this process) → {(name, labels): value}."""
    server = serve_metrics(0, database_url)

    def get() -> dict:
        answer = requests.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5)
        assert answer.status_code == 200
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples
        }

    yield get
    server.shutdown()
    server.server_close()


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_endpoint_and_status_and_timed(
    database_url, sandbox, scrape, committed_db
):
    app = create_app(app_env(database_url, sandbox, METRICS_PORT="9100"))
    client = app.test_client()
    rule = "/api/v1/config"
    before = scrape()
    for _ in range(3):
        assert client.get(rule).status_code == 200
    assert client.get("/api/v1/issues").status_code == 401
    client.get("/api/v1/no-such-thing")
    after = scrape()

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    counted = "linli_http_requests_total"
    assert grew(counted, endpoint=rule, method="GET", status="200") == 3
    assert grew(counted, endpoint="/api/v1/issues", method="GET", status="401") == 1
    assert grew(counted, endpoint="unmatched", method="GET", status="404") == 1
    timed = "linli_http_request_duration_seconds"
    assert grew(f"{timed}_count", endpoint=rule) == 3
    assert grew(f"{timed}_bucket", endpoint=rule, le="+Inf") == 3
    assert grew(f"{timed}_sum", endpoint=rule) > 0


def test_without_metrics_port_nothing_is_counted(app, client, scrape):
    assert not app.config["METRICS_PORT"]
    before = scrape()
    client.get("/api/v1/config")
    after = scrape()
    labels = {"endpoint": "/api/v1/config", "method": "GET", "status": "200"}
    counted = "linli_http_requests_total"
    assert value(after, counted, **labels) == value(before, counted, **labels)


def test_outbox_backlog_scheduler_lag_and_open_anomalies(committed_db, scrape):
    world = build_world("aa")
    user_id = world.user_ids["resident_1_1"]
    now = utcnow()
    for i, status in enumerate(["pending", "pending", "sending", "sent", "failed"]):
        db.session.add(
            OutboxMessage(
                dedupe_key=f"m{i}",
                compound_id=world.compound.id,
                user_id=user_id,
                channel="subscribe",
                template="new_issue",
                payload={"data": {}, "page": None},
                status=status,
            )
        )
    db.session.add_all(
        [
            JobRun(job_name="dispatch_outbox", fire_time=now, holder="h", started_at=now),
            JobRun(
                job_name="reconcile",
                fire_time=now - timedelta(hours=2),
                holder="h",
                started_at=now - timedelta(hours=2),
            ),
            JobRun(
                job_name="reconcile",
                fire_time=now - timedelta(hours=26),
                holder="h",
                started_at=now - timedelta(hours=26),
            ),
            PaymentAnomaly(compound_id=world.compound.id, kind="amount_mismatch", details={}),
            PaymentAnomaly(
                compound_id=world.compound.id,
                kind="late_payment",
                details={},
                resolved_at=now,
            ),
        ]
    )
    db.session.commit()
    samples = scrape()
    assert value(samples, "linli_outbox_backlog", status="pending") == 2
    assert value(samples, "linli_outbox_backlog", status="sending") == 1
    lag = value(samples, "linli_scheduler_last_run_age_seconds", job="reconcile")
    assert 2 * 3600 - 60 <= lag <= 2 * 3600 + 60  # the latest run, not the oldest
    assert value(samples, "linli_scheduler_last_run_age_seconds", job="dispatch_outbox") < 60
    assert value(samples, "linli_payment_anomalies_open") == 1
