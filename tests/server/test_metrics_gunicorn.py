"""The metrics port under the real deployment's gunicorn (deploy/gunicorn.conf.py): two
gthread workers write their counts to PROMETHEUS_MULTIPROC_DIR and the master's port
answers the sum, whichever worker served each request."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from server import PROJECT_ROOT
from tests.conftest import app_env, child_pythonpath
from tests.helpers import free_port, wait_for

pytestmark = pytest.mark.slow  # a real gunicorn

REQUESTS = 40


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def counted(metrics_url: str, endpoint: str) -> float:
    text = requests.get(metrics_url, timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "linli_http_requests_total"
        and sample.labels["endpoint"] == endpoint
        and sample.labels["status"] == "200"
    )


def test_every_workers_requests_are_summed_on_the_metrics_port(
    app, database_url, sandbox, tmp_path
):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left by a previous run")
    port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        **app_env(database_url, sandbox),
        "PYTHONPATH": child_pythonpath(),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "METRICS_PORT": str(metrics_port),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "LOG_FORMAT": "json",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    conf = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(gunicorn), "-c", str(conf)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        config = f"http://127.0.0.1:{port}/api/v1/config"
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        wait_for(
            lambda: answers(config) and answers(metrics),
            90,  # two workers importing the app on a busy machine
            lambda: (tmp_path / "gunicorn.log").read_text()[-2000:],
        )
        assert not (folder / "counter_999999.db").exists()  # a stale count is not summed
        before = counted(metrics, "/api/v1/config")  # the readiness probes'
        served_by = set()
        for _ in range(REQUESTS):  # each on a new connection: either worker takes it
            answer = requests.get(config, timeout=5, headers={"Connection": "close"})
            assert answer.status_code == 200
            served_by.add(answer.headers["X-Request-Id"])
        assert len(served_by) == REQUESTS  # an id of its own for each
        assert counted(metrics, "/api/v1/config") - before == REQUESTS
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    # gunicorn's lines and the app's: one JSON object each, none twice.
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines()]
    said = [line["message"] for line in lines]
    assert sum("Booting worker" in message for message in said) == 2
    assert len(said) == len(set(said))
