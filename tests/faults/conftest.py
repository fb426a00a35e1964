"""Fixtures for the database and scheduler fault tests: MariaDB only, a TCP proxy in
front of it, and scheduler processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from server import PROJECT_ROOT
from server.config import normalise_database_url
from server.extensions import db
from server.services.money import fees
from tests.conftest import app_env, child_pythonpath
from tests.factories import build_world, self_governance_fee
from tests.faults.tcp_proxy import TcpProxy
from tests.timing import month

ON_MARIADB = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "")).startswith("mysql")

# Killed connections, a database that goes away: SQLite has neither.
mariadb_only = pytest.mark.skipif(
    not ON_MARIADB,
    reason="database faults need MySQL/MariaDB (TEST_DATABASE_URL; make test-faults)",
)


@pytest.fixture
def db_proxy(database_url):
    """A TCP proxy in front of the test database; `proxy.url` points the app at it."""
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 3306).start()
    proxy.url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield proxy
    proxy.stop()


@dataclass
class Schedulers:
    """`flask scheduler` processes running tests.server.jobs.fixture_jobs, which write
    each fire time they run to one log: "<fire time> <pid>" a line."""

    sandbox: object
    tmp_path: Path
    log: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, database_url: str, *, lease_seconds: int, jobs: str = "JOBS"):
        env = {
            **os.environ,
            **app_env(database_url, self.sandbox),
            "SCHEDULER_JOBS": f"tests.server.jobs.fixture_jobs:{jobs}",
            "SCHEDULER_LEASE_SECONDS": str(lease_seconds),
            "LINLI_TEST_JOB_LOG": str(self.log),
            "PYTHONPATH": child_pythonpath(),
        }
        output = self.tmp_path / f"scheduler-{len(self.processes)}.log"
        with output.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "server", "scheduler"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process.output = output
        self.processes.append(process)
        return process

    def fires(self) -> list[tuple[datetime, int]]:
        if not self.log.exists():
            return []
        # What follows the last newline is a line still being written: not a run yet.
        written = self.log.read_text().split("\n")[:-1]
        lines = [line.split() for line in written if line.strip()]
        return [(datetime.fromisoformat(fire), int(pid)) for fire, pid in lines]

    def tail(self) -> str:
        return "\n".join(
            f"--- scheduler {p.pid}:\n" + p.output.read_text()[-2000:] for p in self.processes
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def schedulers(sandbox, tmp_path):
    started = Schedulers(sandbox, tmp_path, tmp_path / "fires.log")
    yield started
    started.stop()


@pytest.fixture
def resident_headers(app, committed_db) -> dict:
    """A resident of compound rh with last month's bills, committed (an app of the
    test's own reads them on its own connections); their request headers."""
    world = build_world("rh")
    self_governance_fee(world.compound)
    db.session.commit()
    fees.generate_bills(month(-1), "rh")
    headers = world.headers("resident_1_1")
    db.session.commit()
    return headers
