"""Periodic work, declared as data. `flask --app server scheduler` runs it.

Each job names a function (called with no arguments inside an app context), a
trigger and its schedule in Asia/Shanghai time, and how late it may still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    name: str
    func: str  # "module:function"
    trigger: str  # "interval" or "cron" (APScheduler trigger names)
    schedule: dict = field(default_factory=dict)
    misfire_grace_time: int = 300
    description: str = ""


JOBS: list[Job] = [
    Job(
        name="expire_binding_requests",
        func="server.services.bindings:expire_stale",
        trigger="cron",
        schedule={"hour": 3, "minute": 10},
        misfire_grace_time=6 * 3600,
        description="Binding requests nobody decided within 30 days expire.",
    ),
    Job(
        name="prune_job_runs",
        func="server.services.maintenance:prune_job_runs",
        trigger="cron",
        schedule={"hour": 3, "minute": 40},
        misfire_grace_time=6 * 3600,
        description="Forget job-run records older than 14 days.",
    ),
]
