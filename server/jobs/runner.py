"""The scheduler process: APScheduler's BlockingScheduler running the declared jobs.

Two guards keep a job from running twice: the lease (only its holder runs jobs)
and a claim row per (job, fire time) with a unique key, which also covers the
moment a lease changes hands.
"""

from __future__ import annotations

import contextvars
import dataclasses
import importlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.jobs import Job
from server.jobs.lease import Lease
from server.models import JobRun

log = logging.getLogger(__name__)

TIMEZONE = SHANGHAI
# Interval triggers count from a fixed origin, so every process agrees on fire times.
INTERVAL_ORIGIN = datetime(2026, 1, 1, tzinfo=TIMEZONE)
LEASE_NAME = "scheduler"

# The fire time of the job running in this thread, for jobs that want it.
current_fire_time: contextvars.ContextVar[datetime] = contextvars.ContextVar("current_fire_time")


def load_jobs(spec: str) -> list[Job]:
    """The job list named by "module:attribute" (config SCHEDULER_JOBS)."""
    return _import(spec)


def _import(spec: str):
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def make_trigger(job: Job):
    if job.trigger == "interval":
        return IntervalTrigger(**job.schedule, start_date=INTERVAL_ORIGIN, timezone=TIMEZONE)
    if job.trigger == "cron":
        return CronTrigger(**job.schedule, timezone=TIMEZONE)
    raise ValueError(f"job {job.name}: unknown trigger {job.trigger!r}")


def last_fire_time(trigger, now: datetime, window_seconds: int) -> datetime | None:
    """The latest fire time of `trigger` at or before `now` (looking back
    `window_seconds`), or None if there is none in that window."""
    fire = trigger.get_next_fire_time(None, now - timedelta(seconds=window_seconds))
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return last.astimezone(UTC) if last else None


def did_something(result: object) -> bool:
    """Whether a job's result reports any work: a count above 0, a message, an error
    listed, in a number, a string, a list or the fields of a dataclass or a dict."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return any(did_something(getattr(result, f.name)) for f in dataclasses.fields(result))
    if isinstance(result, dict):
        return any(did_something(value) for value in result.values())
    return bool(result)


class JobRunner:
    """Runs one job's fire time inside an app context, once across all schedulers."""

    def __init__(self, app: Flask, lease: Lease):
        self.app = app
        self.lease = lease

    def run(self, job: Job, func: Callable[[], object], trigger) -> None:
        now = datetime.now(UTC)
        if not self.lease.acquire():
            log.debug("job %s skipped: not the lease holder", job.name)
            return
        fire_time = last_fire_time(trigger, now, job.misfire_grace_time)
        if fire_time is None:  # woken outside any fire time's grace: nothing to claim
            log.warning("job %s woke with no fire time in its grace window", job.name)
            return
        with self.app.app_context():
            run_id = self._claim(job.name, fire_time)
            if run_id is None:
                return
            token = current_fire_time.set(fire_time)
            try:
                result = func()
            except Exception as exc:
                db.session.remove()
                log.exception("job %s (fire time %s) failed", job.name, fire_time.isoformat())
                self._finish(run_id, "failed", f"{type(exc).__name__}: {exc}"[:2000])
            else:
                db.session.remove()  # end the job's transaction before writing its record
                # A run that found nothing to do (the dispatcher, every 5 s) is no news.
                level = logging.INFO if did_something(result) else logging.DEBUG
                log.log(
                    level, "job %s (fire time %s) done: %s", job.name, fire_time.isoformat(), result
                )
                self._finish(run_id, "done", None)
            finally:
                current_fire_time.reset(token)

    def _claim(self, job_name: str, fire_time: datetime) -> int | None:
        try:
            with db.engine.begin() as conn:
                return conn.execute(
                    insert(JobRun).values(
                        job_name=job_name,
                        fire_time=fire_time,
                        holder=self.lease.holder,
                        started_at=utcnow(),
                        status="running",
                    )
                ).inserted_primary_key[0]
        except IntegrityError:
            log.info("job %s fire time %s already claimed", job_name, fire_time.isoformat())
        except SQLAlchemyError as exc:
            log.warning("job %s not claimed, database error: %s", job_name, type(exc).__name__)
        return None

    def _finish(self, run_id: int, status: str, error: str | None) -> None:
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    update(JobRun)
                    .where(JobRun.id == run_id)
                    .values(status=status, error=error, finished_at=utcnow())
                )
        except SQLAlchemyError:
            log.warning("could not record the end of job run %s", run_id)


def build_scheduler(app: Flask, lease: Lease | None = None) -> tuple[BlockingScheduler, Lease]:
    """A BlockingScheduler with every configured job and the lease heartbeat."""
    with app.app_context():
        engine = db.engine
    lease = lease or Lease(engine, LEASE_NAME, app.config["SCHEDULER_LEASE_SECONDS"])
    runner = JobRunner(app, lease)
    # APScheduler announces each job it adds (twice) and each run at INFO; we log the
    # runs that did something ourselves. LOG_LEVEL=DEBUG shows its lines again.
    if app.config["LOG_LEVEL"] != "DEBUG":
        for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
            logging.getLogger(name).setLevel(logging.WARNING)
    scheduler = BlockingScheduler(
        timezone=TIMEZONE,
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    heartbeat = max(1, app.config["SCHEDULER_LEASE_SECONDS"] // 3)
    scheduler.add_job(
        lease.acquire,
        IntervalTrigger(seconds=heartbeat, timezone=TIMEZONE),
        id="lease_heartbeat",
        # A busy machine wakes it late: a renewal late but within the lease still keeps
        # it (skipped after one interval, the lease could lapse under a live holder).
        misfire_grace_time=app.config["SCHEDULER_LEASE_SECONDS"],
        next_run_time=datetime.now(TIMEZONE),
    )
    for job in load_jobs(app.config["SCHEDULER_JOBS"]):
        trigger = make_trigger(job)
        scheduler.add_job(
            runner.run,
            trigger,
            args=(job, _import(job.func), trigger),
            id=job.name,
            name=job.description or job.name,
            misfire_grace_time=job.misfire_grace_time,
        )
    return scheduler, lease


def run_forever(app: Flask) -> None:
    """Run the scheduler until SIGINT/SIGTERM, then hand the lease back."""
    scheduler, lease = build_scheduler(app)

    def _stop(signum, frame):
        log.info("scheduler stopping (signal %s)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("scheduler %s starting with %d jobs", lease.holder, len(scheduler.get_jobs()) - 1)
    try:
        scheduler.start()
    finally:
        lease.release()
