"""A fast job for the two-scheduler test: it writes down each fire time it runs."""

import os

from server.jobs import Job
from server.jobs.runner import current_fire_time


def record_fire_time():
    with open(os.environ["LINLI_TEST_JOB_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{current_fire_time.get().isoformat()} {os.getpid()}\n")


JOBS = [
    Job(
        "record_fire_time",
        "tests.server.jobs.fixture_jobs:record_fire_time",
        "interval",
        {"seconds": 1},
        5,
    )
]

# Twice a second, for the fault tests (fire times keep microseconds: DATETIME(6)).
FAST_JOBS = [
    Job(
        "record_fire_time_fast",
        "tests.server.jobs.fixture_jobs:record_fire_time",
        "interval",
        {"seconds": 0.5},
        5,
    )
]
