"""Housekeeping use cases run by the scheduler."""

from datetime import timedelta

from sqlalchemy import delete

from server.clock import utcnow
from server.extensions import db
from server.models import JobRun, KeyValue


def prune_job_runs(days: int = 14) -> int:
    """Delete job-run records older than `days`. Returns how many."""
    cutoff = utcnow() - timedelta(days=days)
    count = db.session.execute(delete(JobRun).where(JobRun.fire_time < cutoff)).rowcount
    db.session.commit()
    return count


def prune_expired_values() -> int:
    """Delete shared values (tokens, seen nonces) that expired more than a day ago."""
    cutoff = utcnow() - timedelta(days=1)
    count = db.session.execute(delete(KeyValue).where(KeyValue.expires_at < cutoff)).rowcount
    db.session.commit()
    return count
