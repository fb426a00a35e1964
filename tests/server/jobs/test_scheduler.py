"""The scheduler: fire times, the lease, and one run per fire time across processes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select

from server import PROJECT_ROOT
from server.extensions import db
from server.jobs import JOBS, Job
from server.jobs.lease import Lease
from server.jobs.runner import (
    JobRunner,
    build_scheduler,
    did_something,
    last_fire_time,
    make_trigger,
)
from server.jobs.tasks import dispatch_outbox
from server.models import JobRun
from server.services.messaging import inbox
from server.services.messaging.outbox import DispatchResult
from server.services.money.pending_orders import Reconciled
from server.services.people.access import load_principal
from tests.conftest import app_env, child_pythonpath
from tests.factories import build_world, make_issues
from tests.timing import day

NEW_ISSUE = "sandbox-new_issue"


def test_fire_times_are_the_same_in_every_process():
    job = Job("tick", "x:y", "interval", {"seconds": 30})
    now = datetime(2026, 12, 1, 7, 0, 47, 123456, tzinfo=UTC)
    # Two triggers built at different moments agree, because intervals count from a fixed origin.
    assert last_fire_time(make_trigger(job), now, 300) == datetime(
        2026, 12, 1, 7, 0, 30, tzinfo=UTC
    )
    assert last_fire_time(make_trigger(job), now, 300) == last_fire_time(
        make_trigger(job), now, 300
    )


def test_cron_fire_time_is_in_shanghai_time():
    job = Job("nightly", "x:y", "cron", {"hour": 3, "minute": 10})
    now = datetime(2026, 12, 1, 19, 10, 5, tzinfo=UTC)  # 03:10:05 in Shanghai on 2 Dec
    assert last_fire_time(make_trigger(job), now, 3600) == datetime(2026, 12, 1, 19, 10, tzinfo=UTC)


def test_declared_jobs_resolve(app):
    scheduler, _ = build_scheduler(app)
    names = {job.id for job in scheduler.get_jobs()}
    assert names == {job.name for job in JOBS} | {"lease_heartbeat"}
    for job in scheduler.get_jobs():
        assert job.misfire_grace_time
    assert scheduler._job_defaults["coalesce"] is True


def test_only_one_holder_at_a_time_and_takeover_after_expiry(app, committed_db):
    first = Lease(db.engine, "test-lease", ttl_seconds=30, holder="first")
    second = Lease(db.engine, "test-lease", ttl_seconds=30, holder="second")
    assert first.acquire() is True
    assert second.acquire() is False
    assert first.acquire() is True  # renewal
    with freeze_time(timedelta(seconds=31), tick=True):
        assert second.acquire() is True
        assert first.acquire() is False
    second.release()
    assert first.acquire() is True


def test_a_renewal_that_waited_for_a_lock_holds_the_whole_lease_from_its_write(app, committed_db):
    holder = Lease(db.engine, "slow-lease", ttl_seconds=3, holder="holder")
    standby = Lease(db.engine, "slow-lease", ttl_seconds=3, holder="standby")
    with freeze_time(day(1, "08:00:00"), tick=False) as frozen:
        assert holder.acquire() is True

        def waited_for_the_lock(_conn):  # BEGIN IMMEDIATE, or a row lock, took 2 s
            frozen.tick(2)

        event.listen(db.engine, "begin", waited_for_the_lock)
        try:
            assert holder.acquire() is True  # renewed at 08:00:02, asked at 08:00:00
        finally:
            event.remove(db.engine, "begin", waited_for_the_lock)
        frozen.move_to(day(1, "08:00:04.5"))  # 2.5 s after the renewal was written
        assert standby.acquire() is False  # the holder's lease still runs
        frozen.move_to(day(1, "08:00:05.5"))
        assert standby.acquire() is True


def test_a_fire_time_runs_once_even_when_two_runners_hold_it(app, committed_db):
    runs = []
    job = Job("count", "x:y", "interval", {"seconds": 60}, 60)
    trigger = make_trigger(job)
    # Both think they hold the lease (a handover in progress): the claim still decides.
    runners = [
        JobRunner(app, Lease(db.engine, f"lease-{i}", ttl_seconds=30, holder=f"h{i}"))
        for i in range(2)
    ]
    with freeze_time(day(1, "08:00:30")):  # both wake within the same minute
        for runner in runners:
            runner.run(job, lambda: runs.append(1), trigger)
    assert runs == [1]
    (run,) = db.session.scalars(select(JobRun).where(JobRun.job_name == "count")).all()
    assert run.status == "done"


def test_a_failing_job_is_recorded_and_does_not_stop_the_scheduler(app, committed_db):
    job = Job("boom", "x:y", "interval", {"seconds": 60}, 60)
    runner = JobRunner(app, Lease(db.engine, "lease-boom", ttl_seconds=30, holder="h"))

    def explode():
        raise ValueError("kaput")

    with freeze_time(day(1, "08:00:30")):
        runner.run(job, explode, make_trigger(job))
    (run,) = db.session.scalars(select(JobRun).where(JobRun.job_name == "boom")).all()
    assert run.status == "failed"
    assert "kaput" in run.error


def _start_scheduler(env: dict, output: Path) -> subprocess.Popen:
    with output.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "server", "scheduler"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _read(log: Path) -> list[tuple[str, str]]:
    """The runs written so far: a line still being written (no newline yet) is not one."""
    if not log.exists():
        return []
    lines = log.read_text().split("\n")[:-1]  # what follows the last newline is unfinished
    return [tuple(line.split()) for line in lines if line.strip()]


@pytest.mark.slow
def test_two_scheduler_processes_never_both_run_a_job(
    app, sandbox, database_url, committed_db, tmp_path
):
    log = tmp_path / "fires.log"
    env = {
        **os.environ,
        **app_env(database_url, sandbox),
        "SCHEDULER_JOBS": "tests.server.jobs.fixture_jobs:JOBS",
        "SCHEDULER_LEASE_SECONDS": "3",
        "LINLI_TEST_JOB_LOG": str(log),
        "PYTHONPATH": child_pythonpath(),
    }
    procs = [_start_scheduler(env, tmp_path / f"scheduler-{i}.log") for i in range(2)]
    try:
        deadline = time.monotonic() + 60  # two app start-ups on a busy machine
        while len(_read(log)) < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        before_kill = _read(log)
        assert len(before_kill) >= 6, (tmp_path / "scheduler-0.log").read_text()[-3000:]
        holders = {pid for _, pid in before_kill}
        assert len(holders) == 1, f"two schedulers ran jobs at once: {holders}"

        holder = next(p for p in procs if str(p.pid) in holders)
        standby = next(p for p in procs if p is not holder)
        holder.send_signal(signal.SIGKILL)  # no clean release: the lease must expire
        holder.wait(timeout=10)
        killed_at = time.monotonic()
        # Lease of 3 s, heartbeat every second: about 4 s when idle, more on a busy machine.
        while str(standby.pid) not in {pid for _, pid in _read(log)}:
            assert time.monotonic() - killed_at < 30, "the standby did not take over"
            time.sleep(0.2)
        time.sleep(2)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)  # hands its lease back first: slower on a busy machine
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()  # reaped, or pytest reports "subprocess ... is still running"
    fires = Counter(fire for fire, _ in _read(log))
    assert fires, "no runs recorded"
    assert max(fires.values()) == 1, f"a fire time ran twice: {fires.most_common(3)}"


# ----- quiet when idle: news at INFO, nothing-to-do at DEBUG -----

DISPATCH = next(job for job in JOBS if job.name == "dispatch_outbox")


def _dispatcher(app) -> JobRunner:
    return JobRunner(app, Lease(db.engine, "lease-quiet", ttl_seconds=30, holder="quiet"))


def _run(runner: JobRunner, at: datetime) -> None:
    with freeze_time(at):
        runner.run(DISPATCH, dispatch_outbox, make_trigger(DISPATCH))


def _info_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_the_dispatcher_with_nothing_to_send_logs_nothing_at_info(
    app, sandbox, committed_db, caplog
):
    runner = _dispatcher(app)
    _run(runner, day(1, "08:00:01"))  # takes the lease, fetches the access token: news
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        _run(runner, day(1, "08:00:06"))  # the next fire time, 5 s on
    assert _info_lines(caplog) == []
    assert any(r.getMessage().startswith("job dispatch_outbox") for r in caplog.records)


def test_a_dispatcher_run_that_sent_a_push_is_logged_at_info(app, sandbox, committed_db, caplog):
    world = build_world("qq")
    inbox.record_subscriptions(load_principal(world.people["liaison_1_1"].id), [NEW_ISSUE])
    make_issues(1, world.reporter())
    with caplog.at_level(logging.INFO):
        _run(_dispatcher(app), day(1, "08:00:01"))
    (line,) = [m for m in _info_lines(caplog) if m.startswith("job dispatch_outbox")]
    assert "sent=1" in line


@pytest.mark.parametrize(
    ("result", "news"),
    [
        (None, False),
        (0, False),
        (3, True),
        ("WeChat unavailable; messages stay queued", True),
        ({}, False),
        ({7: {"day": "2026-12-01", "orders": 2}}, True),
        (DispatchResult(), False),
        (DispatchResult(errors=["x"]), True),
        (Reconciled(), False),
        (Reconciled(checked=1), True),
    ],
)
def test_what_counts_as_news(result, news):
    assert did_something(result) is news


def test_the_scheduler_starts_without_a_line_per_job(app, caplog):
    scheduler, _ = build_scheduler(app)
    with caplog.at_level(logging.INFO):
        started = threading.Thread(target=scheduler.start, kwargs={"paused": True})
        started.start()
        while not scheduler.running:
            time.sleep(0.01)
        scheduler.shutdown(wait=False)
        started.join(timeout=10)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")] == []
