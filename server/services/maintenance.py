"""Housekeeping use cases run by the scheduler."""

from datetime import timedelta

from sqlalchemy import delete

from server.extensions import db
from server.models import JobRun, utcnow


def prune_job_runs(days: int = 14) -> int:
    """Delete job-run records older than `days`. Returns how many."""
    cutoff = utcnow() - timedelta(days=days)
    count = db.session.execute(delete(JobRun).where(JobRun.fire_time < cutoff)).rowcount
    db.session.commit()
    return count
